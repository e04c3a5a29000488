/* The home page: YASGUI on this service's own endpoint, example queries,
   links to our resources kept on this site, and a bar chart for counts. */
(function () {
  "use strict";
  var BASE = "https://w3id.org/jiukg/";
  var here = window.location.origin;
  var endpoint = here + "/sparql";
  var examples = JSON.parse(document.getElementById("example-data").textContent || "[]");
  var el = document.getElementById("yasgui");
  if (!el || typeof Yasgui === "undefined") return;

  // YASQE's class and property completers ask lov.linkeddata.es, and its prefix completer prefix.cc when
  // configured: the page must need nothing beyond this service. Classes and properties come from our own
  // endpoint (the terms the data uses and the ontology defines), prefixes from /context.jsonld first.
  function select(query) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(query),
    }).then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; })
      .then(function (d) { return d.results.bindings.map(function (b) { return b.x.value; }); })
      .catch(function () { return []; });
  }
  var OWL = "http://www.w3.org/2002/07/owl#", RDFS = "http://www.w3.org/2000/01/rdf-schema#";
  var RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  var TERMS = {
    "class": "[] a ?x } UNION { ?x a <" + OWL + "Class> } UNION { ?x a <" + RDFS + "Class>",
    property: "[] ?x [] } UNION { ?x a <" + RDF + "Property> } UNION { ?x a <" + OWL + "ObjectProperty> }" +
      " UNION { ?x a <" + OWL + "DatatypeProperty> } UNION { ?x a <" + OWL + "AnnotationProperty>",
  };
  function startingWith(kind, start) {
    // the start of an IRI, as YASQE expanded it from what was typed; kept to IRI characters
    var safe = String(start || "").replace(/[^A-Za-z0-9_~.:\/?#\[\]@!$&'()*+,;=%\-]/g, "");
    return select("SELECT DISTINCT ?x WHERE { { " + TERMS[kind] + " } FILTER(isIRI(?x) && STRSTARTS(STR(?x), " +
                  JSON.stringify(safe) + ")) } ORDER BY ?x LIMIT 100");
  }
  function localCompleters(Yasqe) {
    ["class", "property"].forEach(function (kind) {
      var c = Yasqe.Autocompleters[kind];
      if (!c) return;
      c.bulk = false;
      c.get = function (_yasqe, token) {
        return startingWith(kind, token && (token.autocompletionString || token.string));
      };
    });
    var prefixes = Yasqe.Autocompleters.prefixes;
    if (prefixes) {
      var bundled = prefixes.get;  // YASQE's own list, shipped in the bundle (prefixCcApi stays null)
      prefixes.get = function (y) {
        var ours = fetch(here + "/context.jsonld").then(function (r) { return r.json(); })
          .then(function (d) { return d["@context"] || {}; }).catch(function () { return {}; });
        var theirs = Promise.resolve(bundled.call(this, y)).catch(function () { return []; });
        return Promise.all([ours, theirs]).then(function (res) {
          var mine = res[0], names = Object.keys(mine);
          var out = names.map(function (p) { return p + ": <" + mine[p] + ">"; });
          return out.concat((res[1] || []).filter(function (s) { return names.indexOf(s.split(":")[0]) < 0; }));
        });
      };
    }
    Yasqe.defaults.prefixCcApi = null;
  }

  // Results show plain values, the datatype or language on hover, not "1"^^<http://...#integer>
  // (YASR's own rendering squeezes the values out of narrow columns).
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var Table = Yasgui.Yasr && Yasgui.Yasr.plugins && Yasgui.Yasr.plugins.table;
  if (Table && Table.prototype && Table.prototype.formatLiteral) {
    Table.prototype.formatLiteral = function (b) {
      var lang = b["xml:lang"];
      if (lang) return '<span lang="' + esc(lang) + '" title="@' + esc(lang) + '">' + esc(b.value) + "</span>";
      if (b.datatype) {
        var dt = b.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:");
        return '<span class="typed" title="' + esc(dt) + '">' + esc(b.value) + "</span>";
      }
      return esc(b.value);
    };
  }

  localCompleters(Yasgui.Yasqe);
  Yasgui.Yasqe.defaults.autofocus = false;
  var yasgui = new Yasgui(el, {
    persistenceId: null,
    copyEndpointOnNewTab: true,
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: {
      value: examples.length ? examples[0].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
      autocompleters: ["variables", "prefixes", "property", "class"],
      autofocus: false,  // the editor is at the bottom: a phone must open the page at its top
      prefixCcApi: null,
    },
  });
  window.jiukgYasgui = yasgui;

  // CodeMirror takes the focus when YASGUI builds it, which scrolls a phone 2,000 px down to the
  // editor: give the focus back and keep the page at its top (unless the address asks for #editor).
  function keepTop() {
    var a = document.activeElement;
    if (!a || !el.contains(a) || window.location.hash) return;
    a.blur();
    window.scrollTo(0, 0);
  }
  keepTop();
  setTimeout(keepTop, 0);

  var tab = yasgui.getTab();
  if (tab && examples.length) tab.setQuery(examples[0].text);

  document.getElementById("examples").addEventListener("change", function (ev) {
    var ex = examples.filter(function (e) { return e.name === ev.target.value; })[0];
    if (!ex) return;
    var t = yasgui.getTab();
    t.setQuery(ex.text);
    t.getYasqe().query();
  });

  // Results link to the IRIs; ours resolve on this service, so keep the reader here. An IRI that is
  // not http(s) (javascript:, data: ... from the data) stays text: its link is taken away.
  var labels = {};  // IRI -> a short label in the page's language, asked of this service once per result
  function localise(root) {
    var links = root.querySelectorAll('a[href^="' + BASE + '"]');
    var lang = document.documentElement.lang === "zh" ? "zh" : "en";
    for (var i = 0; i < links.length; i++) {
      var iri = links[i].getAttribute("href");
      links[i].setAttribute("data-iri", iri);
      links[i].setAttribute("title", iri);
      var rest = iri.slice(BASE.length), hash = rest.indexOf("#");
      var path = hash < 0 ? rest : rest.slice(0, hash), frag = hash < 0 ? "" : rest.slice(hash);
      links[i].setAttribute("href", here + "/" + path + (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang + frag);
      links[i].removeAttribute("target");
    }
    var named = root.querySelectorAll(".yasr td a[data-iri]");
    for (var k = 0; k < named.length; k++) {
      var label = labels[named[k].getAttribute("data-iri")];
      if (label && named[k].textContent !== label) named[k].textContent = label;
    }
    var results = root.querySelectorAll(".yasr td a[href]");
    for (var j = 0; j < results.length; j++) {
      if (!/^https?:\/\//i.test(results[j].getAttribute("href").trim())) {
        results[j].removeAttribute("href");
        results[j].classList.add("nolink");
      }
    }
  }
  function fetchLabels(bindings) {
    var seen = {}, iris = [];
    bindings.forEach(function (b) {
      Object.keys(b).forEach(function (v) {
        var x = b[v];
        if (x.type === "uri" && x.value.indexOf(BASE) === 0 && !seen[x.value] && !labels[x.value] &&
            iris.length < 400 && /^[^<>"{}|^`\\\s]+$/.test(x.value)) { seen[x.value] = 1; iris.push(x.value); }
      });
    });
    if (!iris.length) return;
    var lang = document.documentElement.lang === "zh" ? "zh" : "en";
    var q = "SELECT ?s ?p ?l WHERE { VALUES ?s { " + iris.map(function (i) { return "<" + i + ">"; }).join(" ") +
      " } VALUES ?p { <https://w3id.org/jiukg/ontology#symbol> <https://w3id.org/jiukg/ontology#acronym> " +
      "<http://www.w3.org/2004/02/skos/core#prefLabel> <http://www.w3.org/2000/01/rdf-schema#label> } ?s ?p ?l }";
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(q),
    }).then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; }).then(function (d) {
      var rank = {};
      d.results.bindings.forEach(function (b) {
        var p = b.p.value, l = b.l["xml:lang"] || "";
        var r = /#symbol$/.test(p) ? 0 : /#acronym$/.test(p) ? 1 : (l.indexOf(lang) === 0 ? 2 : l === "" ? 3 : 4) +
          (/skos/.test(p) ? 0 : 3);
        if (rank[b.s.value] === undefined || r < rank[b.s.value]) { rank[b.s.value] = r; labels[b.s.value] = b.l.value; }
      });
      localise(el);
    }).catch(function () {});
  }
  new MutationObserver(function () { localise(el); }).observe(el, { childList: true, subtree: true });

  // chart counts and rates, not identifiers such as a recommendation's number
  var COUNTLIKE = /count|total|^n$|rate|outstanding|implemented|issued|sum|avg|amount/i;
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;
  function shortLabel(b) {
    if (!b) return "";
    if (b.type === "uri") {
      var v = b.value.indexOf(BASE) === 0 ? b.value.slice(BASE.length) : b.value;
      return v.replace(/^.*[#]/, "");
    }
    return b.value;
  }

  function drawChart(vars, rows) {
    var box = document.getElementById("chart-box"), chart = document.getElementById("chart");
    chart.textContent = "";
    box.hidden = true;
    if (!rows.length || rows.length > 60) return;
    var num = vars.filter(function (v) {
      return COUNTLIKE.test(v) && rows.every(function (r) { return r[v] && r[v].type === "literal" && NUMERIC.test(r[v].datatype || ""); });
    });
    var lab = vars.filter(function (v) { return num.indexOf(v) < 0; });
    if (!num.length || !lab.length) return;
    var n = num[0], l = lab[0];
    var max = Math.max.apply(null, rows.map(function (r) { return parseFloat(r[n].value); }).concat([0]));
    if (!(max > 0)) return;
    var W = 720, barH = 20, gap = 6, left = 260, H = rows.length * (barH + gap) + 10;
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", "100%");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "?" + n + " by ?" + l);
    rows.forEach(function (r, i) {
      var y = 5 + i * (barH + gap), v = parseFloat(r[n].value), w = Math.max(1, (W - left - 60) * v / max);
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", left - 8); t.setAttribute("y", y + barH * 0.72); t.setAttribute("text-anchor", "end");
      var s = shortLabel(r[l]); t.textContent = s.length > 38 ? s.slice(0, 37) + "…" : s;
      var title = document.createElementNS(ns, "title"); title.textContent = s + ": " + v; t.appendChild(title);
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", left); rect.setAttribute("y", y); rect.setAttribute("width", w);
      rect.setAttribute("height", barH); rect.setAttribute("class", "bar");
      var vt = document.createElementNS(ns, "text");
      vt.setAttribute("x", left + w + 6); vt.setAttribute("y", y + barH * 0.72); vt.textContent = String(v);
      svg.appendChild(t); svg.appendChild(rect); svg.appendChild(vt);
    });
    chart.appendChild(svg);
    box.hidden = false;
  }

  yasgui.on("queryResponse", function (_y, t) {
    setTimeout(function () {
      try {
        var yasr = (t || yasgui.getTab()).getYasr();
        var res = yasr && yasr.results;
        if (!res || res.hasError() || res.getType() !== "json") { drawChart([], []); return; }
        drawChart(res.getVariables() || [], res.getBindings() || []);
        fetchLabels(res.getBindings() || []);
      } catch (e) { drawChart([], []); }
    }, 0);
  });
})();
