// MathJax 3 configuration (Material for MkDocs' recipe for pymdownx.arithmatex, generic mode).
// Loaded before assets/mathjax/tex-svg-full.js, which docs/hooks/mathjax.py serves from the
// site itself: typesetting needs no network.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    // Typeset only what arithmatex marked as math, nothing else on the page.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

// Instant navigation swaps the page content without a reload: typeset each new page.
// Queued on MathJax's startup promise, so it never overlaps MathJax's own first typeset
// or the typesetting of the previous page.
document$.subscribe(() => {
  MathJax.startup.promise = MathJax.startup.promise.then(() => {
    const output = MathJax.startup.output
    // Material's recipe calls clearCache(), which only the CHTML output has;
    // the SVG output's equivalent is clearFontCache().
    if (typeof output.clearCache === "function") output.clearCache()
    else output.clearFontCache()
    MathJax.typesetClear()
    MathJax.texReset()
    return MathJax.typesetPromise()
  })
})
