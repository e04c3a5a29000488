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

  var yasgui = new Yasgui(el, {
    persistenceId: null,
    copyEndpointOnNewTab: true,
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: examples.length ? examples[0].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" },
  });
  window.jiukgYasgui = yasgui;

  var tab = yasgui.getTab();
  if (tab && examples.length) tab.setQuery(examples[0].text);

  document.getElementById("examples").addEventListener("change", function (ev) {
    var ex = examples.filter(function (e) { return e.name === ev.target.value; })[0];
    if (!ex) return;
    var t = yasgui.getTab();
    t.setQuery(ex.text);
    t.getYasqe().query();
  });

  // Results link to the IRIs; ours resolve on this service, so keep the reader here.
  function localise(root) {
    var links = root.querySelectorAll('a[href^="' + BASE + '"]');
    for (var i = 0; i < links.length; i++) {
      links[i].setAttribute("href", here + "/" + links[i].getAttribute("href").slice(BASE.length));
      links[i].removeAttribute("target");
    }
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
      } catch (e) { drawChart([], []); }
    }, 0);
  });
})();
