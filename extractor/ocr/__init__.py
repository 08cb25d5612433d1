"""OCR for scanned reports: page images into the PDF loader's page layouts, with confidences.

- `settings`: OcrSettings (dpi, threads, max_pages; OGI_OCR_* environment variables).
- `engine`: RapidOCR's PP-OCRv4 models, loaded once per process; strict confidences.
- `image`: grey levels, ink, deskewing, ruling-line masks.
- `grid`: ruling lines as pdfplumber edges, into the PDF loader's table chain.
- `page`: one page image -> PageLayout and word confidences.
- `scan`: image-only ("scanned") PDFs made from text PDFs, for tests and evaluation.

The loader using them is `extractor.loaders.scanned`.
"""
