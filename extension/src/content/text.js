// @ts-check
// Pure text helpers of the insertion engine: no DOM, so node's test runner
// checks them (extension/test). Injected before the other engine parts.
(() => {
  const parts = (globalThis.sidenoteParts ??= /** @type {any} */ ({}));
  if (parts.text) return;

  /** @param {string | null | undefined} s */
  const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

  /** @param {string} s */
  const escapeHTML = (s) => s.replace(/[&<>"]/g, (c) => /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

  /**
   * toHTML keeps the note's structure: blank lines separate paragraphs,
   * single newlines are line breaks.
   * @param {string} text
   */
  function toHTML(text) {
    return text.split(/\n{2,}/).map((p) => `<p>${p.split('\n').map(escapeHTML).join('<br>')}</p>`).join('');
  }

  /**
   * oneLine is what a single-line input can hold of a section.
   * @param {string} text
   */
  const oneLine = (text) => text.replace(/\s*\n+\s*/g, ' ');

  /**
   * joinAppend puts text after what a plain field holds: a blank line
   * between in a multi-line field, a space in a one-line field.
   * @param {string} existing
   * @param {string} text
   * @param {boolean} multiline
   */
  function joinAppend(existing, text, multiline) {
    if (!existing.trim()) return text;
    if (!multiline) return `${existing.trimEnd()} ${text}`;
    return `${existing.replace(/\s+$/, '')}\n\n${text}`;
  }

  /**
   * landedText reports whether a field now reads as the text we wrote:
   * exactly it, or (appending) what it held followed by it. Whitespace is
   * compared loosely: editors turn paragraphs into blank lines or not.
   * @param {string} now what the field reads as now
   * @param {string} want the text written
   * @param {string} before what it read as before ('' when replaced)
   */
  function landedText(now, want, before) {
    const n = squash(now);
    const w = squash(want);
    if (squash(before)) return n.startsWith(squash(before)) && n.endsWith(w);
    return n === w;
  }

  /**
   * stripPlaceholders removes, once each, the texts of an editor's
   * placeholder nodes from what its editable area reads as, and treats a
   * field reading exactly as its placeholder attribute as empty.
   * @param {string} text
   * @param {string[]} placeholderTexts
   * @param {string} placeholderAttr
   */
  function stripPlaceholders(text, placeholderTexts, placeholderAttr) {
    let out = text;
    for (const p of placeholderTexts) {
      const t = p.trim();
      if (!t) continue;
      const at = out.indexOf(t);
      if (at >= 0) out = out.slice(0, at) + out.slice(at + t.length);
    }
    if (placeholderAttr && squash(out) === squash(placeholderAttr)) return '';
    return out;
  }

  /**
   * tooLong explains why a section was not put into a field that cannot
   * hold it. limit is the most the field holds (its maxlength, or what it
   * kept of the text), length the section's length in the same units.
   * @param {number} limit
   * @param {number} length
   */
  function tooLong(limit, length) {
    return `too long for this field: it holds at most ${limit} characters, the section has ${length}; copy it instead`;
  }

  /**
   * Length as the page counts it (maxlength counts UTF-16 code units, and
   * browsers store a textarea's line breaks as one character).
   * @param {string} s
   */
  const pageLength = (s) => s.replace(/\r\n/g, '\n').length;

  parts.text = { squash, escapeHTML, toHTML, oneLine, joinAppend, landedText, stripPlaceholders, tooLong, pageLength };
})();
