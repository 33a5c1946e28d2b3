"""Ingestion: formats -> visible lines -> main-text decision -> metadata.

- :mod:`.encodings` turns bytes into text as a browser does (BOM, declared
  charset by the WHATWG labels, detection last; mojibake read again or flagged);
- :mod:`.formats` reads each kind of file (text, HTML, MHTML, Markdown, PDF, Word,
  web archives) into the lines a reader sees, numbered, with provenance;
- :mod:`.visible` turns an HTML page into its visible lines (block elements as
  lines; scripts, styles and hidden elements left out and counted);
- :mod:`.maintext` decides which visible lines are the document's main text,
  with the evidence of each extractor for every line;
- :mod:`.infer` finds the title, date (with its kind and the words it came
  from), issuer and URL of a capture.
"""
