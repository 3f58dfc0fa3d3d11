// The email body editor: Jodit (a WYSIWYG editor served by the gateway from its own node_modules,
// so it works offline) over the form's HTML textarea, with a Visual / HTML toggle and a menu of
// Liquid tags. The textarea stays the value the form saves; Liquid tags come back out exactly as
// they went in, and HTML whose tags the browser would move is kept in the HTML view.
import { h, nextId } from '../dom.js';

/** Liquid output (`{{ … }}`) and tags (`{% … %}`). */
const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

/** The personalisation tags offered by the Insert menu: [Liquid, label]. */
export const LIQUID_TOKENS = /** @type {const} */ ([
  ['{{ contact.firstname | default: "there" }}', 'First name (or “there”)'],
  ['{{ contact.firstname }}', 'First name'],
  ['{{ contact.lastname }}', 'Last name'],
  ['{{ contact.email }}', 'Email address'],
  ['{{ unsubscribe_url }}', 'Unsubscribe link (URL)'],
]);

/** @param {string} html → its Liquid tags, in order */
export function liquidTags(html) {
  return html.match(LIQUID) ?? [];
}

/**
 * Undoes what serialising the editor's DOM does to Liquid: `&`, `<`, `>`, `"` and non-breaking
 * spaces come out as entities (`{% if a &gt; b %}`, `default: &quot;x&quot;` in an attribute),
 * which Liquid would not parse.
 * @param {string} html
 */
export function restoreLiquid(html) {
  return html.replace(LIQUID, (tag) =>
    tag
      .replace(/&nbsp;|\u00a0/g, ' ')
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}

/** Why `html` cannot be edited visually without changing it, or null when it can. @param {string} html @param {string} roundTrip */
export function visualEditingProblem(html, roundTrip) {
  if (/<(!doctype|html|head|body)\b/i.test(html))
    return 'This is a whole HTML document: edit it as HTML, or put its layout in a template and only the body here.';
  if (JSON.stringify(liquidTags(html)) !== JSON.stringify(liquidTags(roundTrip)))
    return 'Some Liquid tags sit where the visual editor would move them (between table rows, for instance): edit this body as HTML.';
  return null;
}

let joditLoaded = /** @type {Promise<any> | null} */ (null);

/** Jodit's UMD build and its stylesheet, once (a classic script: it defines window.Jodit). */
function loadJodit() {
  joditLoaded ??= new Promise((resolve, reject) => {
    document.head.append(h('link', { rel: 'stylesheet', href: '/vendor/jodit/jodit.min.css' }));
    const script = h('script', { src: '/vendor/jodit/jodit.min.js' });
    script.addEventListener('load', () => resolve(/** @type {any} */ (window).Jodit));
    script.addEventListener('error', () => {
      joditLoaded = null;
      reject(new Error('The visual editor could not be loaded.'));
    });
    document.head.append(script);
  });
  return joditLoaded;
}

/** Jodit without anything that reaches outside the gateway (Ace and js-beautify come from a CDN by default). */
const JODIT_OPTIONS = {
  sourceEditor: 'area',
  beautifyHTML: false,
  iframe: false,
  toolbarAdaptive: false,
  toolbarSticky: false,
  showCharsCounter: false,
  showWordsCounter: false,
  showXPathInStatusbar: false,
  askBeforePasteHTML: false,
  askBeforePasteFromWord: false,
  defaultActionOnPaste: 'insert_clear_html',
  minHeight: 280,
  disablePlugins: ['about', 'powered-by-jodit', 'speech-recognize', 'ai-assistant', 'file', 'video', 'print'],
  buttons: [
    'bold',
    'italic',
    'underline',
    'strikethrough',
    '|',
    'paragraph',
    'font',
    'fontsize',
    'brush',
    '|',
    'ul',
    'ol',
    'align',
    '|',
    'link',
    'image',
    'table',
    'hr',
    '|',
    'undo',
    'redo',
    'eraser',
  ],
};

/**
 * Turns a form's HTML textarea into the email body editor; its controls go right above it. It
 * opens in the visual view where the body allows it; when the editor cannot load, the textarea
 * stays, with a note.
 * @param {HTMLTextAreaElement} textarea the form control whose value is saved
 * @param {{ label: string, onChange?: () => void }} options
 * @returns {{ sync: () => void }} `sync` copies the visual view's latest edits into the textarea (call it before reading it)
 */
export function attachHtmlEditor(textarea, options) {
  const note = h('p', { class: 'editor-note', role: 'status' });
  const surface = h('div', { class: 'visual-surface', hidden: true });
  const visualButton = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Visual');
  const htmlButton = h('button', { type: 'button', 'aria-pressed': 'true' }, 'HTML');
  const tokenId = nextId('liquid');
  const tokenSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: tokenId },
      LIQUID_TOKENS.map(([value, label]) => h('option', { value }, `${label} — ${value}`)),
    )
  );
  const insertButton = h('button', { type: 'button' }, 'Insert tag');
  const bar = h(
    'div',
    { class: 'editor-bar' },
    h('div', { class: 'segmented', role: 'group', 'aria-label': `${options.label}: view` }, visualButton, htmlButton),
    h('div', { class: 'insert-tag' }, h('label', { for: tokenId }, 'Personalisation tag'), tokenSelect, insertButton),
  );
  // A field of its own for showError: the body's server errors mark the textarea, not these controls.
  const controls = h(
    'div',
    { class: 'html-editor', dataset: { field: `${textarea.name}:editor` } },
    bar,
    note,
    surface,
  );

  /** @type {any} */
  let editor = null;
  let mode = /** @type {'visual' | 'html'} */ ('html');
  // What the editor held right after loading the textarea: while it still does, the textarea keeps
  // the source as written (the editor's own serialisation would reformat it).
  let loadedValue = '';
  /** @type {Range | null} */
  let lastRange = null;

  const changed = () => options.onChange?.();
  textarea.addEventListener('input', changed);

  function sync() {
    if (mode !== 'visual' || !editor) return;
    const value = editor.value;
    if (value !== loadedValue) textarea.value = restoreLiquid(value);
  }

  async function ensureEditor() {
    if (editor) return editor;
    const Jodit = await loadJodit();
    const host = h('textarea', { 'aria-hidden': 'true', tabindex: '-1' });
    surface.append(host);
    editor = Jodit.make(host, JODIT_OPTIONS);
    const body = /** @type {HTMLElement} */ (editor.editor);
    body.setAttribute('role', 'textbox');
    body.setAttribute('aria-multiline', 'true');
    body.setAttribute('aria-label', `${options.label} (visual)`);
    editor.events.on('change', () => {
      if (mode !== 'visual') return;
      sync();
      changed();
    });
    // The Insert menu takes the focus away: remember where the caret was in the body. The page
    // has no teardown hook: the listener ends itself (and the editor) once the form is gone.
    const onSelection = () => {
      if (!textarea.isConnected) {
        document.removeEventListener('selectionchange', onSelection);
        editor.destruct();
        return;
      }
      const selection = document.getSelection();
      if (selection && selection.rangeCount > 0 && body.contains(selection.getRangeAt(0).commonAncestorContainer))
        lastRange = selection.getRangeAt(0).cloneRange();
    };
    document.addEventListener('selectionchange', onSelection);
    return editor;
  }

  /** @param {'visual' | 'html'} next */
  function show(next) {
    mode = next;
    visualButton.setAttribute('aria-pressed', String(next === 'visual'));
    htmlButton.setAttribute('aria-pressed', String(next === 'html'));
    surface.hidden = next !== 'visual';
    textarea.hidden = next !== 'html';
  }

  async function toVisual() {
    note.textContent = '';
    try {
      const ed = await ensureEditor();
      const source = textarea.value;
      ed.value = source;
      loadedValue = ed.value;
      const problem = visualEditingProblem(source, restoreLiquid(loadedValue));
      if (problem) {
        note.textContent = problem;
        show('html');
        return;
      }
      lastRange = null;
      show('visual');
    } catch (error) {
      note.textContent = error instanceof Error ? error.message : String(error);
      show('html');
    }
  }

  function insertToken() {
    const token = tokenSelect.value;
    if (mode === 'html') {
      const { selectionStart, selectionEnd, value } = textarea;
      textarea.value = value.slice(0, selectionStart) + token + value.slice(selectionEnd);
      textarea.focus();
      textarea.setSelectionRange(selectionStart + token.length, selectionStart + token.length);
      changed();
      return;
    }
    editor.s.focus();
    if (lastRange) editor.s.selectRange(lastRange);
    editor.s.insertNode(document.createTextNode(token), true, true);
  }

  visualButton.addEventListener('click', () => void (mode === 'visual' ? undefined : toVisual()));
  htmlButton.addEventListener('click', () => {
    sync();
    show('html');
  });
  insertButton.addEventListener('click', insertToken);

  textarea.insertAdjacentElement('beforebegin', controls);
  // Open in the visual view when the body allows it (a new email, or one written there).
  void toVisual();
  return { sync };
}
