// Each line of a code block is a <span id="__span-..."> (pymdownx.highlight's line_spans).
// Record its indentation in --indent, so that where a long line wraps
// (docs/stylesheets/extra.css), the rest of a line continues 4 characters further in than
// the line itself. Runs on every page, instant navigation included.
document$.subscribe(() => {
  for (const line of document.querySelectorAll('.md-typeset pre > code > span[id^="__span-"]')) {
    const indent = line.textContent.match(/^ */)[0].length
    if (indent) line.style.setProperty("--indent", indent)
  }
})
