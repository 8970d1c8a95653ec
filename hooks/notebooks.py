"""Tidy the HTML that mkdocs-jupyter (nbconvert) makes for notebook pages.

- nbconvert injects a MathJax 2 loader and configuration; the site runs MathJax 3 (served locally),
  and the MathJax 2 block throws on instant navigation. Remove it.
- It also injects a Mermaid loader that would import from a CDN; the site must make no outside request.
- Notebook headings end in a "¶" anchor link, which would show up in search titles.
"""
import re

MATHJAX2 = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
MERMAID = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".*?</script>', re.S)
ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">¶</a>')


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html = MATHJAX2.sub("", html)
    html = MERMAID.sub(lambda m: "" if "mermaid" in m.group(0) else m.group(0), html)
    return ANCHOR.sub("", html)
