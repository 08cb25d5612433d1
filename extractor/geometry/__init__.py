"""The geometry stage: positioned words to tables, shared by the PDF, OCR and text loaders.

    words        Word, TextLine, lines and runs of positioned words
    ruled        tables drawn with ruling lines: cell boxes, words placed in them
    positions    positioned pieces and lines, the cells read from them (plain data)
    columns      tables without ruling lines: columns from the figures' alignment and the header
                 words over them, figures placed by position (by order only where rows are full)
    labels       their row labels: wrapped labels stacked, group labels given their first row
    pages        page layouts to tokens: furniture, tables across pages, reading order
    page_breaks  rows and merged cells cut by a page break, joined again

Every loader that knows where its text stands (PDF points, OCR pixels turned into points, display
columns of a text line) feeds this stage; none keeps a table finder of its own.
"""
