"""Source pages, before Sphinx: what a module's page links (``plan``), its highlighted HTML
(``page``, with the ``lexer``). The glue writes them (:mod:`sphinx_kwindex.glue.source_pages`)."""
