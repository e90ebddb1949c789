/**
 * The console's field mapping: per entity, which of the account's fields (as amoCRM lists them,
 * with their types) holds the address and each of its parts, and the pipeline and stage for
 * website leads. It edits a draft of the saved choice; the page saves it.
 */
import type { ConsoleChoices } from '../../../contract/api.js';
import type { Translate } from '../i18n.js';
import type { ConsoleSettings } from './console-api.js';
import { h } from './dom.js';

export type Entity = 'leads' | 'contacts' | 'companies';
export const ENTITIES: Entity[] = ['leads', 'contacts', 'companies'];
/** The zone parts go to lead fields only (the console's "Зоны доставки" says which zone, price, distance). */
export const ZONE_PARTS = ['zoneName', 'zonePrice', 'zoneDistance'] as const;
/** What the courier needs, and the verdict in words: any entity's text (or number) fields. */
export const DETAIL_PARTS = ['flat', 'entrance', 'floor', 'intercom', 'courierComment', 'verdict'] as const;
export const PARTS = ['address', 'postalCode', 'city', 'coordinates', ...ZONE_PARTS, ...DETAIL_PARTS] as const;
/** The tag an admin may have put on entities whose address needs a call. */
export const DEFAULT_UNCHECKED_TAG = 'адрес не проверен';
type Part = (typeof PARTS)[number];

const chosenId = (e: Event) => Number((e.target as HTMLSelectElement).value) || undefined;

export class FieldsForm {
  draft: ConsoleSettings = { fields: {} };

  /** `redraw`: a pipeline change shows its own stages. */
  constructor(
    private readonly doc: Document,
    private readonly t: Translate,
    private readonly redraw: () => void,
  ) {}

  /** Starts editing a copy of the saved choice (structuredClone is not in every browser amoCRM supports). */
  edit(saved: ConsoleSettings): void {
    this.draft = JSON.parse(JSON.stringify(saved)) as ConsoleSettings;
  }

  render(choices: ConsoleChoices): HTMLElement[] {
    const grid = h(this.doc, 'div', { class: 'amo-console__grid' });
    for (const entity of ENTITIES) {
      const group = h(this.doc, 'fieldset', { class: 'amo-console__fieldset' }, h(this.doc, 'legend', {}, this.t(`console.fields.${entity}`)));
      for (const part of PARTS.filter((p) => entity === 'leads' || !(ZONE_PARTS as readonly string[]).includes(p))) {
        const id = `amo-console-${entity}-${part}`;
        const chosen = this.draft.fields[entity]?.[part];
        const options = choices.fields[entity].map((f) => h(this.doc, 'option', { value: f.id, selected: f.id === chosen }, `${f.name} (${f.type})`));
        const select = h(this.doc, 'select', { id, 'data-key': id, onChange: (e: Event) => this.choose(entity, part, chosenId(e)) }, h(this.doc, 'option', { value: '' }, this.t('console.fields.none')), ...options);
        group.append(h(this.doc, 'label', { for: id }, this.t(`console.fields.${part}`)), select);
      }
      grid.append(group);
    }
    return [grid, this.leadsTo(choices)];
  }

  private leadsTo(choices: ConsoleChoices): HTMLElement {
    const pipeline = choices.pipelines.find((p) => p.id === this.draft.pipelineId);
    const none = () => h(this.doc, 'option', { value: '' }, this.t('console.fields.default'));
    const pipelines = h(
      this.doc,
      'select',
      { id: 'amo-console-pipeline', 'data-key': 'pipeline', onChange: (e: Event) => this.choosePipeline(chosenId(e)) },
      none(),
      ...choices.pipelines.map((p) => h(this.doc, 'option', { value: p.id, selected: p.id === this.draft.pipelineId }, p.name)),
    );
    const statuses = h(
      this.doc,
      'select',
      { id: 'amo-console-status', 'data-key': 'status', disabled: !pipeline, onChange: (e: Event) => (this.draft.statusId = chosenId(e)) },
      none(),
      ...(pipeline?.statuses ?? []).map((st) => h(this.doc, 'option', { value: st.id, selected: st.id === this.draft.statusId }, st.name)),
    );
    const tagged = this.draft.uncheckedTag !== undefined;
    const tag = h(this.doc, 'input', { id: 'amo-console-unchecked-tag', 'data-key': 'unchecked-tag', maxlength: 50, disabled: !tagged, value: this.draft.uncheckedTag ?? DEFAULT_UNCHECKED_TAG, onInput: (e: Event) => (this.draft.uncheckedTag = (e.target as HTMLInputElement).value.trim() || DEFAULT_UNCHECKED_TAG) });
    const toggle = h(this.doc, 'input', {
      type: 'checkbox',
      id: 'amo-console-unchecked-on',
      'data-key': 'unchecked-on',
      checked: tagged,
      onChange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) this.draft.uncheckedTag = tag.value.trim() || DEFAULT_UNCHECKED_TAG;
        else delete this.draft.uncheckedTag;
        this.redraw();
      },
    });
    return h(
      this.doc,
      'div',
      { class: 'amo-console__fieldset' },
      h(this.doc, 'label', { for: 'amo-console-pipeline' }, this.t('console.fields.pipeline')),
      pipelines,
      h(this.doc, 'label', { for: 'amo-console-status' }, this.t('console.fields.status')),
      statuses,
      h(this.doc, 'p', { class: 'amo-console__row' }, toggle, h(this.doc, 'label', { for: 'amo-console-unchecked-on' }, this.t('console.fields.unchecked_on'))),
      h(this.doc, 'label', { for: 'amo-console-unchecked-tag' }, this.t('console.fields.unchecked_tag')),
      tag,
    );
  }

  private choose(entity: Entity, part: Part, id: number | undefined): void {
    const fields = { ...(this.draft.fields[entity] ?? {}) };
    if (id) fields[part] = id;
    else delete fields[part];
    this.draft.fields = { ...this.draft.fields, [entity]: fields };
  }

  private choosePipeline(id: number | undefined): void {
    this.draft.pipelineId = id;
    this.draft.statusId = undefined;
    this.redraw();
  }
}
