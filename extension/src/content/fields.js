// @ts-check
// Finding fields and reading them as a person would: which elements are
// editing surfaces, which editor owns each, what label a person reads
// beside it, and what text it holds (an editor's placeholder is not text).
(() => {
  const parts = (globalThis.sidenoteParts ??= /** @type {any} */ ({}));
  if (parts.fields) return;
  const { squash, stripPlaceholders } = parts.text;

  const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'tel', 'url']);
  // Generic accessible names editors give their editing surface; they say
  // nothing about what the field is for.
  const GENERIC_LABEL = /rich text (editor|area)|editing area|editor, editor\d|wysiwyg/i;


  /** @param {Node} root @returns {Generator<Element>} */
  function* elementsIn(root) {
    const doc = root.ownerDocument ?? /** @type {Document} */ (root);
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = /** @type {Element} */ (node);
      yield el;
      if (el.shadowRoot) yield* elementsIn(el.shadowRoot);
    }
  }

  /** @param {Element} el */
  function editorKind(el) {
    if (el.classList.contains('ck-editor__editable')) return 'ckeditor5';
    if (el.classList.contains('ql-editor')) return 'quill';
    if (el.classList.contains('ProseMirror')) return 'prosemirror';
    if (el.getAttribute('data-lexical-editor') === 'true') return 'lexical';
    if (el.getAttribute('data-slate-editor') === 'true') return 'slate';
    if (el.classList.contains('public-DraftEditor-content')) return 'draftjs';
    if (el.localName === 'trix-editor') return 'trix';
    return 'contenteditable';
  }

  // Editors whose box sits inside a wrapper the page's label describes.
  /** @param {HTMLElement} el @param {string} kind */
  function containerOf(el, kind) {
    switch (kind) {
      case 'ckeditor5': return el.closest('.ck-editor');
      case 'quill': return el.closest('.ql-container');
      case 'prosemirror': return el.parentElement;
      case 'draftjs': return el.closest('.DraftEditor-root')?.parentElement ?? null;
      default: return el.closest('.note-editor') ?? el; // Summernote's frame
    }
  }

  /**
   * The document of an iframe that is itself an editing area (TinyMCE,
   * CKEditor 4 and other designMode/contenteditable-body editors), when it
   * is same-origin; null otherwise. Another origin's frame is never read
   * from here: the engine copy running in it fills it.
   * @param {HTMLIFrameElement} frame
   */
  function editableFrameBody(frame) {
    let doc = null;
    try { doc = frame.contentDocument; } catch { return null; }
    const body = doc?.body;
    if (!body || !(body.isContentEditable || doc?.designMode === 'on')) return null;
    return body;
  }

  /**
   * editingSurface returns the field an element is, or null.
   * @param {Element} node
   * @returns {Field | null}
   */
  function editingSurface(node) {
    const el = /** @type {HTMLElement} */ (node);
    const tag = el.localName;
    if (tag === 'textarea') return { el, kind: 'textarea', anchor: el, box: el };
    if (tag === 'input') {
      return TEXT_INPUT_TYPES.has(/** @type {HTMLInputElement} */ (el).type) ? { el, kind: 'input', anchor: el, box: el } : null;
    }
    if (tag === 'iframe') {
      const body = editableFrameBody(/** @type {HTMLIFrameElement} */ (el));
      if (!body) return null;
      const container = el.closest('.tox-tinymce, .cke') ?? el;
      const kind = container.classList.contains('cke') ? 'ckeditor4' : container.classList.contains('tox-tinymce') ? 'tinymce' : 'iframe';
      return { el: body, kind, anchor: sourceBefore(container) ?? container, box: el, container };
    }
    if (el.isContentEditable && !el.parentElement?.isContentEditable) {
      const kind = editorKind(el);
      const container = containerOf(el, kind) ?? el;
      return { el, kind, anchor: sourceBefore(container) ?? el, box: el, container };
    }
    return null;
  }

  // CKEditor, TinyMCE, Summernote and Trix hide the page's own element and
  // put their UI right after it (Trix: before it); the page's label still
  // points at the hidden element.
  /** @param {Element | null | undefined} container */
  function sourceBefore(container) {
    const prev = container?.previousElementSibling;
    if (prev && (prev.localName === 'textarea' || prev.localName === 'div' || prev.localName === 'input') && !prev.checkVisibility()) return prev;
    return null;
  }

  /** @param {Field} field */
  function usable(field) {
    const { el, box } = field;
    if (!box.isConnected || !box.checkVisibility({ checkVisibilityCSS: true })) return false;
    const rect = box.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    if (el.getAttribute('aria-disabled') === 'true' || el.getAttribute('aria-readonly') === 'true') return false;
    if (field.kind === 'textarea' || field.kind === 'input') {
      const input = /** @type {HTMLInputElement} */ (el);
      return !input.disabled && !input.readOnly && !el.matches(':disabled') && input.type !== 'password';
    }
    return el.isContentEditable;
  }

  /** @param {Element} el */
  function textOf(el) {
    const h = /** @type {HTMLElement} */ (el);
    return squash(h.innerText ?? el.textContent);
  }

  /** @param {Element} el @param {string} ids */
  function byIds(el, ids) {
    const root = /** @type {Document | ShadowRoot} */ (el.getRootNode());
    return ids.split(/\s+/).map((id) => (root.getElementById?.(id) ?? document.getElementById(id)))
      .filter((e) => e !== null).map((e) => textOf(/** @type {Element} */ (e))).join(' ').trim();
  }

  // The elements that stand for a field to the page's author: the editing
  // surface, the page's own (maybe hidden) element, the editor's wrapper,
  // and the custom elements or shadow hosts it sits in.
  /** @param {Field} field @returns {Element[]} */
  function standIns(field) {
    const out = new Set([field.el, field.anchor]);
    if (field.container) out.add(field.container);
    /** @type {Element | null} */
    let node = field.el;
    for (let depth = 0; node && depth < 4; depth++) {
      const root = node.getRootNode();
      node = node.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
      if (node && (node.localName.includes('-') || node === /** @type {ShadowRoot} */ (root).host)) out.add(node);
    }
    return [...out];
  }

  /** @param {Element} el */
  function labelsFor(el) {
    const labels = new Set(/** @type {HTMLInputElement} */ (el).labels ?? []);
    if (el.id) {
      // <label for> pointing at any element: a contenteditable, a custom
      // element or the host of a shadow root has no .labels.
      const root = /** @type {Document | ShadowRoot} */ (el.getRootNode());
      for (const l of root.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`)) labels.add(/** @type {HTMLLabelElement} */ (l));
    }
    const wrapping = el.closest('label');
    if (wrapping) labels.add(wrapping);
    return [...labels];
  }

  /** @param {Field} field */
  function labelOf(field) {
    const els = standIns(field);
    for (const el of els) {
      const ids = el.getAttribute('aria-labelledby');
      if (ids) {
        const t = byIds(el, ids);
        if (t && !GENERIC_LABEL.test(t)) return t;
      }
    }
    for (const el of els) {
      const t = labelsFor(el).map(textOf).filter(Boolean).join(' ');
      if (t) return t;
    }
    for (const el of els) {
      const t = squash(el.getAttribute('aria-label') || el.getAttribute('title'));
      if (t && !GENERIC_LABEL.test(t)) return t;
    }
    return '';
  }

  /** @param {Field} field */
  function descriptionOf(field) {
    for (const el of standIns(field)) {
      const ids = el.getAttribute('aria-describedby');
      const t = ids ? byIds(el, ids) : '';
      if (t) return t.slice(0, 160);
    }
    return '';
  }

  const FIELDISH = 'input, textarea, select, [contenteditable], iframe, trix-editor, .ck-editor, .tox-tinymce, .ql-container, .cke';

  /** @param {HTMLTableCellElement} cell */
  function columnHeader(cell) {
    const table = cell.closest('table');
    const row = /** @type {HTMLTableRowElement | null} */ (cell.parentElement);
    if (!table || !row) return '';
    const index = [...row.cells].indexOf(cell);
    let found = '';
    // Document order: table.rows lists every <thead> row first.
    for (const r of /** @type {NodeListOf<HTMLTableRowElement>} */ (table.querySelectorAll(':scope > * > tr, :scope > tr'))) {
      if (r === row) break;
      const head = r.cells[index];
      if (head?.localName === 'th') found = textOf(head); // the nearest header row above
    }
    return found;
  }

  /**
   * contextOf finds the caption a person would read before the field: the
   * previous cell of its table row or its column's header, the <dt> of its
   * <dd>, or the nearest short text (heading, caption div) before it,
   * stopping at another field.
   * @param {Field} field
   */
  function contextOf(field) {
    const start = field.container ?? field.box;
    const cell = /** @type {HTMLTableCellElement | null} */ (start.closest('td, th'));
    if (cell) {
      for (let prev = cell.previousElementSibling; prev; prev = prev.previousElementSibling) {
        const t = textOf(prev);
        if (t) return t.slice(0, 120);
      }
      const head = columnHeader(cell);
      if (head) return head.slice(0, 120);
    }
    const dd = start.closest('dd');
    if (dd) {
      for (let prev = dd.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (prev.localName === 'dt') return textOf(prev).slice(0, 120);
      }
    }
    /** @type {Element | null} */
    let node = start;
    for (let depth = 0; node && depth < 4; depth++) {
      let sib = node.previousElementSibling;
      for (let i = 0; sib && i < 4; i++, sib = sib.previousElementSibling) {
        if (sib.matches(FIELDISH) || sib.querySelector(FIELDISH)) {
          if (sib.localName === 'label' || !textOf(sib) || !sib.checkVisibility()) continue; // toolbars, labels, hidden sources
          return '';
        }
        const label = /** @type {HTMLLabelElement} */ (sib);
        if (sib.localName === 'label' && label.htmlFor && !standIns(field).some((e) => e.id === label.htmlFor)) return '';
        const t = textOf(sib);
        if (t && t.length <= 120) return t;
      }
      node = node.parentElement;
      if (!node || node.localName === 'form' || node.localName === 'body' || node.localName === 'dialog') break;
    }
    return '';
  }

  // Placeholder nodes editors draw inside their editable area (Slate's
  // data-slate-placeholder, Lexical/ProseMirror decorations, hand-written
  // editors' spans): never the clinician's text.
  const PLACEHOLDER_NODE = '[data-slate-placeholder], [data-placeholder-node], .placeholder, [class*="placeholder" i][contenteditable="false"], [aria-hidden="true"][contenteditable="false"]';

  /** @param {HTMLElement} el */
  function placeholderAttr(el) {
    return el.getAttribute('placeholder') || el.getAttribute('data-placeholder') || el.getAttribute('aria-placeholder') || '';
  }

  /**
   * What the field holds as text, placeholders left out. ::before content
   * is not in innerText, so CSS placeholders never count.
   * @param {Field} field
   */
  function currentText(field) {
    const { el } = field;
    if (field.kind === 'textarea' || field.kind === 'input') return /** @type {HTMLTextAreaElement} */ (el).value;
    const nodes = [...el.querySelectorAll(PLACEHOLDER_NODE)].map((n) => /** @type {HTMLElement} */ (n).innerText ?? '');
    return stripPlaceholders(el.innerText, nodes, placeholderAttr(el));
  }

  /**
   * @param {Field} field
   * @param {string} stamp
   */
  function describe(field, stamp) {
    const { el, anchor, kind } = field;
    const named = anchor.getAttribute?.('name') || anchor.id || el.getAttribute('name') || el.id || '';
    return {
      stamp,
      label: labelOf(field),
      context: contextOf(field),
      placeholder: placeholderAttr(el) || descriptionOf(field),
      name: named,
      kind,
      input_type: kind === 'input' ? /** @type {HTMLInputElement} */ (el).type : '',
      autocomplete: el.getAttribute('autocomplete') || '',
      multiline: kind !== 'input',
      has_text: currentText(field).trim() !== '',
    };
  }

  /**
   * Whether this document is an editor's editing iframe: its parent
   * document fills it (TinyMCE, CKEditor 4).
   */
  function insideEditorFrame() {
    try {
      const frame = window.frameElement;
      return !!frame && editableFrameBody(/** @type {HTMLIFrameElement} */ (frame)) !== null;
    } catch {
      return false;
    }
  }

  /** @returns {Field[]} */
  function findFields() {
    if (insideEditorFrame()) return [];
    const seen = new Set();
    /** @type {Field[]} */
    const found = [];
    for (const node of elementsIn(document)) {
      const field = editingSurface(node);
      if (!field || seen.has(field.el) || !usable(field)) continue;
      seen.add(field.el);
      found.push(field);
    }
    return found;
  }

  parts.fields = { findFields, usable, describe, currentText, editingSurface };
})();
