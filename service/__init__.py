"""The jiukg web service: SPARQL endpoint, linked data, web pages."""
