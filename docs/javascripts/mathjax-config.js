// MathJax 3 configuration. MathJax itself is served from this site (see hooks/mathjax.py).
// arithmatex (generic mode) wraps math in \( \) and \[ \] inside elements of class "arithmatex";
// notebook pages keep $ and $$ inside "jp-RenderedMarkdown" cells, so both are processed.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams"
  },
  options: {
    // ".+" skips every element that has a class, except those named below; ".*|" would also skip
    // elements with no class at all, and notebook math would stay raw.
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-MarkdownOutput"
  }
};

// Material's instant navigation swaps the page without reloading scripts: typeset each new page.
document$.subscribe(() => {
  if (!window.MathJax.startup || !window.MathJax.typesetPromise) return;  // first load: MathJax does it
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
