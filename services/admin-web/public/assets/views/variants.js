import { api } from '../api.js';
import { field, h, replace } from '../dom.js';
import {
  CUSTOM_FIELD,
  CUSTOM_TYPES,
  FILTER_FIELDS,
  FILTER_OPERATORS,
  customTypeOf,
  draftOf,
  filterOf,
  knownField,
  newDraft,
  operatorsFor,
  valueHint,
} from './filters.js';

/**
 * The content variants of DESIGN §7.2 in the content editor: each a name, filters on the contact
 * (and the moment of sending), and its own values for the type's texts; the first variant whose
 * filters match is sent instead of the base content. Controls carry the API's field paths
 * (`variants.1.filters`), so a 400 shows next to what it names.
 */

/**
 * @typedef {import('./filters.js').FilterDraft} FilterDraft
 * @typedef {{ name: string, label: string, type?: string, rows?: number, code?: boolean }} VariantField
 * @typedef {{ name: string, filters: FilterDraft[], values: Record<string, string> }} VariantDraft
 */

/** Custom contact fields for the field-name suggestions, loaded once per page load. @type {Promise<Map<string, string>> | null} */
let customFields = null;

/** Contact fields a filter cannot name as custom ones: the send does not carry them. */
const NOT_CUSTOM = new Set(['preferredChannel', 'preferred_channel']);

/** @returns {Promise<Map<string, string>>} alias → filter type */
function loadCustomFields() {
  customFields ??= api('GET', '/api/contacts/list/fields').then(
    (data) => {
      /** @type {Map<string, string>} */
      const found = new Map();
      for (const f of Object.values(data ?? {})) {
        const alias = /** @type {any} */ (f)?.alias;
        if (typeof alias === 'string' && !knownField(alias) && !NOT_CUSTOM.has(alias))
          found.set(alias, customTypeOf(/** @type {any} */ (f).type));
      }
      return found;
    },
    () => new Map(),
  );
  return customFields;
}

let editors = 0;

/**
 * @param {{ fields: VariantField[], variants: any[], onChange: () => void }} spec
 * @returns {{ element: HTMLElement, read: () => Record<string, unknown>[], drafts: () => VariantDraft[] }}
 */
export function variantsEditor(spec) {
  const uid = `variants-${++editors}`;
  /** @type {VariantDraft[]} */
  const drafts = (Array.isArray(spec.variants) ? spec.variants : []).map((v) => ({
    name: String(v?.name ?? ''),
    filters: (Array.isArray(v?.filters) ? v.filters : []).map(draftOf),
    values: Object.fromEntries(
      spec.fields.map((f) => [f.name, v?.[f.name] === null || v?.[f.name] === undefined ? '' : String(v[f.name])]),
    ),
  }));
  /** @type {Map<string, string>} */
  let known = new Map();
  const list = h('div', { class: 'variant-list' });
  const suggestions = h('datalist', { id: `${uid}-fields` });
  const element = h(
    'fieldset',
    { class: 'variants', 'data-field': 'variants' },
    h('legend', null, 'Variants'),
    h(
      'p',
      { class: 'hint muted' },
      'Each contact is sent the first variant whose filters match them (in this order), else the base content above. A field left empty keeps the base content’s.',
    ),
    h('p', { class: 'field-error' }),
    suggestions,
    list,
    h('button', { type: 'button', onclick: () => add() }, 'Add variant'),
  );

  void loadCustomFields().then((fields) => {
    known = fields;
    replace(
      suggestions,
      [...fields.keys()].map((alias) => h('option', { value: alias })),
    );
  });

  const changed = () => spec.onChange();

  /** @param {string} [focus] a selector inside the list to focus after drawing */
  const draw = (focus) => {
    replace(
      list,
      drafts.length === 0 ? h('p', { class: 'muted' }, 'No variants: every contact gets the base content.') : null,
      drafts.map((v, i) => variantBlock(v, i)),
    );
    if (focus) /** @type {HTMLElement | null} */ (list.querySelector(focus))?.focus();
    changed();
  };

  const add = () => {
    drafts.push({
      name: '',
      filters: [newDraft()],
      values: Object.fromEntries(spec.fields.map((f) => [f.name, ''])),
    });
    draw(`[name="variants.${drafts.length - 1}.name"]`);
  };

  /** @param {number} i @param {number} delta */
  const move = (i, delta) => {
    const [v] = drafts.splice(i, 1);
    drafts.splice(i + delta, 0, v);
    const to = i + delta;
    draw(`[data-move="${to}:${delta}"]:not(:disabled), [data-move="${to}:${-delta}"]`);
  };

  /** @param {VariantDraft} v @param {number} i */
  const variantBlock = (v, i) => {
    const path = `variants.${i}`;
    const n = i + 1;
    const nameField = field({
      name: `${path}.name`,
      label: 'Variant name',
      value: v.name,
      required: true,
      hint: 'Shown in the statistics and the deliveries log.',
      attrs: { maxlength: 64, autocomplete: 'off' },
    });
    nameField.addEventListener('input', (e) => {
      v.name = /** @type {HTMLInputElement} */ (e.target).value;
    });
    const filters = h(
      'div',
      { class: 'variant-filters', 'data-field': `${path}.filters` },
      h('h4', { class: 'label', id: `${uid}-${i}-filters` }, 'Filters'),
      h('p', { class: 'field-error', id: `${uid}-${i}-filters-error` }),
      v.filters.map((f, j) => filterRow(v, f, i, j)),
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `Add a filter to variant ${n}`,
          onclick: () => {
            v.filters.push(newDraft());
            draw(`[data-field="${path}.filters.${v.filters.length - 1}"] select`);
          },
        },
        'Add filter',
      ),
    );
    const own = spec.fields.map((f) => {
      const multiline = f.type === 'textarea' || f.type === 'html';
      const control = field({
        name: `${path}.${f.name}`,
        label: f.label,
        type: multiline ? 'textarea' : (f.type ?? 'text'),
        rows: multiline ? Math.min(f.rows ?? 4, 8) : undefined,
        className: f.code || f.type === 'html' ? 'code' : undefined,
        value: v.values[f.name] ?? '',
        placeholder: 'As the base content',
        attrs: multiline ? { spellcheck: f.code || f.type === 'html' ? 'false' : undefined } : undefined,
      });
      control.addEventListener('input', (e) => {
        v.values[f.name] = /** @type {HTMLInputElement} */ (e.target).value;
      });
      return control;
    });
    return h(
      'fieldset',
      { class: 'variant', 'data-field': path },
      h('legend', null, `Variant ${n}`),
      h('p', { class: 'field-error' }),
      nameField,
      filters,
      own,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            disabled: i === 0,
            'data-move': `${i}:-1`,
            'aria-label': `Move variant ${n} up`,
            onclick: () => move(i, -1),
          },
          '↑ Up',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            disabled: i === drafts.length - 1,
            'data-move': `${i}:1`,
            'aria-label': `Move variant ${n} down`,
            onclick: () => move(i, 1),
          },
          '↓ Down',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'small danger',
            'aria-label': `Remove variant ${n}`,
            onclick: () => {
              drafts.splice(i, 1);
              draw(drafts.length > 0 ? `[name="variants.${Math.min(i, drafts.length - 1)}.name"]` : undefined);
              if (drafts.length === 0) /** @type {HTMLElement | null} */ (element.querySelector('button'))?.focus();
            },
          },
          'Remove variant',
        ),
      ),
    );
  };

  /** @param {VariantDraft} v @param {FilterDraft} f @param {number} i @param {number} j */
  const filterRow = (v, f, i, j) => {
    const path = `variants.${i}.filters.${j}`;
    const row = h('fieldset', { class: 'filter-row', 'data-field': path });
    const drawRow = () => {
      const operators = operatorsFor(f);
      if (!operators.includes(f.operator)) f.operator = operators[0];
      const custom = f.field === CUSTOM_FIELD;
      const noValue = f.operator === 'empty' || f.operator === '!empty';
      replace(
        row,
        h('legend', null, `Filter ${j + 1}`),
        j > 0
          ? field({
              name: `${path}.glue`,
              label: 'Joined by',
              type: 'select',
              value: f.glue,
              options: [
                ['and', 'and (both match)'],
                ['or', 'or (starts another group)'],
              ],
            })
          : null,
        fieldPicker(f, path),
        custom
          ? field({
              name: `${path}.field`,
              label: 'Custom field name',
              value: f.custom,
              required: true,
              hint: 'The contact field’s alias, e.g. city.',
              attrs: { list: `${uid}-fields`, autocomplete: 'off', spellcheck: 'false' },
            })
          : null,
        custom
          ? field({
              name: `${path}.type`,
              label: 'Compared as',
              type: 'select',
              value: f.type,
              options: CUSTOM_TYPES.map((t) => [t, t]),
            })
          : null,
        field({
          name: `${path}.operator`,
          label: 'Operator',
          type: 'select',
          value: f.operator,
          options: FILTER_OPERATORS.filter(([op]) => operators.includes(op)),
        }),
        noValue
          ? null
          : field({
              name: `${path}.filter`,
              label: 'Value',
              value: f.value,
              hint: valueHint(f) || undefined,
              attrs: { autocomplete: 'off' },
            }),
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            'aria-label': `Remove filter ${j + 1} of variant ${i + 1}`,
            onclick: () => {
              v.filters.splice(j, 1);
              draw(`[data-field="variants.${i}.filters"] button`);
            },
          },
          'Remove filter',
        ),
      );
    };
    row.addEventListener('input', (e) => {
      const target = /** @type {HTMLInputElement} */ (e.target);
      if (target.name === `${path}.field`) {
        f.custom = target.value;
        const type = known.get(target.value.trim());
        if (type && type !== f.type) {
          f.type = type;
          const select = /** @type {HTMLSelectElement | null} */ (row.querySelector(`[name="${path}.type"]`));
          if (select) select.value = type;
          redraw(target.name);
        }
      } else if (target.name === `${path}.filter`) f.value = target.value;
    });
    row.addEventListener('change', (e) => {
      const target = /** @type {HTMLSelectElement} */ (e.target);
      if (target.name === `${path}.glue`) f.glue = target.value;
      else if (target.name === `${path}.pick`) {
        f.field = target.value;
        redraw(target.name);
      } else if (target.name === `${path}.type`) {
        f.type = target.value;
        redraw(target.name);
      } else if (target.name === `${path}.operator`) {
        f.operator = target.value;
        redraw(target.name);
      }
    });
    /** Draws the row again (its controls depend on the field and operator), keeping focus where it was. @param {string} name */
    const redraw = (name) => {
      drawRow();
      const control = /** @type {HTMLInputElement | null} */ (row.querySelector(`[name="${name}"]`));
      control?.focus();
      // A text box drawn again while the user types in it: keep typing at its end.
      if (control instanceof HTMLInputElement) control.setSelectionRange(control.value.length, control.value.length);
    };
    drawRow();
    return row;
  };

  /** The field a row asks about: a contact field, the moment of sending, or a custom field. @param {FilterDraft} f @param {string} path */
  const fieldPicker = (f, path) => {
    const control = field({ name: `${path}.pick`, label: 'Field', type: 'select', value: f.field });
    const select = /** @type {HTMLSelectElement} */ (control.querySelector('select'));
    replace(
      select,
      h('option', { value: CUSTOM_FIELD, selected: f.field === CUSTOM_FIELD }, 'Custom field…'),
      FILTER_FIELDS.map((g) =>
        h(
          'optgroup',
          { label: g.group },
          g.fields.map((k) => h('option', { value: k.name, selected: f.field === k.name }, k.label)),
        ),
      ),
    );
    return control;
  };

  draw();

  return {
    element,
    drafts: () => drafts,
    /** The variants in the API's format: only the fields a variant sets, so the rest stay the base's. */
    read: () =>
      drafts.map((v) => ({
        name: v.name.trim(),
        filters: v.filters.map(filterOf),
        ...Object.fromEntries(
          spec.fields.filter((f) => v.values[f.name] !== '').map((f) => [f.name, v.values[f.name]]),
        ),
      })),
  };
}
