/**
 * The console's "Проверка адресов в базе" (admins of a connected account): choose leads,
 * contacts or companies (a pipeline and stage for leads, a creation date range), run the check,
 * read the counts and the rows, download the report, apply to every row that will be normalised
 * or to the ticked ones, undo, cancel. The job runs on the server; this section polls it while
 * it runs and shows its progress (a count, and for an apply or undo a bar and the time left).
 */
import type { CleanClass, CleanEntity, CleanJob, CleanRow } from '../../../contract/cleaning.js';
import type { ConsoleChoices } from '../../../contract/api.js';
import { fill, plural, type I18nKey, type Translate } from '../i18n.js';
import type { BackendError } from '../suggest.js';
import type { ConsoleApi } from './console-api.js';
import { button, h } from './dom.js';

const CLASSES: CleanClass[] = ['normalise', 'unchanged', 'ambiguous', 'not_found', 'empty'];
const ENTITIES: CleanEntity[] = ['leads', 'contacts', 'companies'];
const RUNNING = ['checking', 'applying', 'undoing'];
const POLL_MS = 1500;
const PAGE = 50;

export class CleanSection {
  private job: CleanJob | null = null;
  private rows: CleanRow[] = [];
  private total = 0;
  private shown: CleanClass | null = 'normalise';
  private readonly ticked = new Set<number>();
  private form: { entity: CleanEntity; pipelineId: string; statusId: string; from: string; to: string } = { entity: 'leads', pipelineId: '', statusId: '', from: '', to: '' };
  private message: { text: string; error: boolean } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly doc: Document,
    private readonly t: Translate,
    private readonly api: ConsoleApi,
    private readonly locale: string,
    private readonly redraw: () => void,
  ) {}

  async load(): Promise<void> {
    try {
      this.job = (await this.api.cleanJob()).job;
      await this.loadRows();
    } catch (error) {
      this.say(error);
    }
    this.poll();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** While the job runs, it is read again every POLL_MS; when it ends, its rows too. */
  private poll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.job || !RUNNING.includes(this.job.status)) return;
    this.timer = setTimeout(() => {
      void (async () => {
        try {
          const before = this.job?.status;
          this.job = (await this.api.cleanJob()).job;
          if (this.job && this.job.status !== before) await this.loadRows();
        } catch (error) {
          this.say(error);
        }
        this.redraw();
        this.poll();
      })();
    }, POLL_MS);
  }

  private async loadRows(): Promise<void> {
    if (!this.job || this.job.status === 'checking') {
      this.rows = [];
      this.total = 0;
      return;
    }
    const page = await this.api.cleanRows(this.job.id, this.shown, 0, PAGE);
    this.rows = page.rows;
    this.total = page.total;
  }

  private say(error: unknown, ok?: string): void {
    if (!error) {
      this.message = ok ? { text: ok, error: false } : null;
      return;
    }
    const e = error as BackendError;
    const own: Partial<Record<string, I18nKey>> = { clean_job_conflict: 'console.clean.conflict', account_not_connected: 'console.errors.account_not_connected', admin_required: 'console.errors.admin_required' };
    const key = own[e?.code];
    this.message = { text: key ? this.t(key) : e?.code === 'invalid_body' || e?.code === 'invalid_parameter' ? fill(this.t('console.clean.invalid'), { field: e.field ?? '' }) : fill(this.t('console.errors.generic'), { code: e?.code ?? 'network_error' }), error: true };
  }

  private run(work: () => Promise<string | null>): void {
    void (async () => {
      try {
        this.say(null, (await work()) ?? undefined);
        await this.loadRows();
      } catch (error) {
        this.say(error);
      }
      this.redraw();
      this.poll();
    })();
  }

  render(canManage: boolean, connected: boolean, choices: ConsoleChoices | null): HTMLElement {
    const parts: Array<Node | false | null> = [h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.clean.intro'))];
    if (!canManage || !connected) parts.push(h(this.doc, 'p', { class: 'amo-console__note' }, this.t(canManage ? 'console.errors.account_not_connected' : 'console.clean.admins_only')));
    else {
      const running = !!this.job && RUNNING.includes(this.job.status);
      parts.push(this.startForm(choices, running));
      if (this.job) parts.push(...this.jobView(this.job));
    }
    parts.push(h(this.doc, 'p', { class: this.message?.error ? 'amo-console__error' : 'amo-console__ok', role: 'status', 'aria-live': 'polite', 'data-clean-message': '' }, this.message?.text ?? ''));
    return h(this.doc, 'section', { class: 'amo-console__section', 'aria-labelledby': 'amo-console-clean' }, h(this.doc, 'h2', { id: 'amo-console-clean' }, this.t('console.clean.title')), ...parts);
  }

  private startForm(choices: ConsoleChoices | null, running: boolean): HTMLElement {
    const f = this.form;
    const field = (id: string, label: I18nKey, control: HTMLElement) => h(this.doc, 'p', { class: 'amo-console__row' }, h(this.doc, 'label', { for: id }, this.t(label)), control);
    const entity = h(this.doc, 'select', { id: 'amo-clean-entity', 'data-key': 'clean-entity', onChange: (e: Event) => ((f.entity = (e.target as HTMLSelectElement).value as CleanEntity), this.redraw()) }, ...ENTITIES.map((en) => h(this.doc, 'option', { value: en, selected: en === f.entity }, this.t(`console.fields.${en}`))));
    const pipelines = choices?.pipelines ?? [];
    const pipeline = pipelines.find((p) => String(p.id) === f.pipelineId);
    const rows: HTMLElement[] = [field('amo-clean-entity', 'console.clean.entity', entity)];
    if (f.entity === 'leads' && pipelines.length) {
      rows.push(
        field('amo-clean-pipeline', 'console.clean.pipeline', h(this.doc, 'select', { id: 'amo-clean-pipeline', 'data-key': 'clean-pipeline', onChange: (e: Event) => ((f.pipelineId = (e.target as HTMLSelectElement).value), (f.statusId = ''), this.redraw()) }, h(this.doc, 'option', { value: '' }, this.t('console.clean.any')), ...pipelines.map((p) => h(this.doc, 'option', { value: String(p.id), selected: String(p.id) === f.pipelineId }, p.name)))),
      );
      if (pipeline) rows.push(field('amo-clean-status', 'console.clean.status', h(this.doc, 'select', { id: 'amo-clean-status', 'data-key': 'clean-status', onChange: (e: Event) => (f.statusId = (e.target as HTMLSelectElement).value) }, h(this.doc, 'option', { value: '' }, this.t('console.clean.any')), ...pipeline.statuses.map((s) => h(this.doc, 'option', { value: String(s.id), selected: String(s.id) === f.statusId }, s.name)))));
    }
    rows.push(
      field('amo-clean-from', 'console.clean.from', h(this.doc, 'input', { id: 'amo-clean-from', type: 'date', 'data-key': 'clean-from', value: f.from, onChange: (e: Event) => (f.from = (e.target as HTMLInputElement).value) })),
      field('amo-clean-to', 'console.clean.to', h(this.doc, 'input', { id: 'amo-clean-to', type: 'date', 'data-key': 'clean-to', value: f.to, onChange: (e: Event) => (f.to = (e.target as HTMLInputElement).value) })),
    );
    const start = () =>
      this.run(async () => {
        const filter = {
          ...(f.entity === 'leads' && f.pipelineId ? { pipelineId: Number(f.pipelineId) } : {}),
          ...(f.entity === 'leads' && f.pipelineId && f.statusId ? { statusId: Number(f.statusId) } : {}),
          ...(f.from ? { createdFrom: f.from } : {}),
          ...(f.to ? { createdTo: f.to } : {}),
        };
        this.job = (await this.api.startClean(f.entity, filter)).job;
        this.ticked.clear();
        return this.t('console.clean.started');
      });
    rows.push(h(this.doc, 'p', {}, this.button('clean-start', this.t('console.clean.start'), start, { primary: true, disabled: running })));
    return h(this.doc, 'div', { 'data-clean-form': '' }, ...rows);
  }

  private jobView(job: CleanJob): Node[] {
    const n = (v: number) => v.toLocaleString(this.locale);
    const out: Node[] = [];
    const running = RUNNING.includes(job.status);
    out.push(h(this.doc, 'p', { 'data-clean-status': job.status }, fill(this.t(`console.clean.status_${job.status}`), { read: n(job.read), error: job.error ?? '' })));
    if (running) {
      // A check does not know how many entities there are: its bar has no end (indeterminate).
      const bar = job.status === 'checking' ? h(this.doc, 'progress', { 'aria-label': this.t('console.clean.title'), 'data-clean-progress': '' }) : h(this.doc, 'progress', { max: job.toDo, value: job.done, 'aria-label': this.t('console.clean.title'), 'data-clean-progress': '' });
      out.push(bar);
      if (job.error) out.push(h(this.doc, 'p', { class: 'amo-console__error', 'data-clean-retrying': '' }, fill(this.t('console.clean.retrying'), { error: job.error })));
      if (job.status !== 'checking') out.push(h(this.doc, 'p', { 'data-clean-eta': '' }, fill(this.t('console.clean.progress'), { done: n(job.done), of: n(job.toDo) }) + (job.etaSeconds !== null ? ` ${plural(this.t, 'console.clean.eta', Math.max(1, Math.ceil(job.etaSeconds / 60)))}` : '')));
      out.push(h(this.doc, 'p', {}, this.button('clean-cancel', this.t('console.clean.cancel'), () => this.run(async () => ((this.job = (await this.api.cancelClean(job.id)).job), this.t('console.clean.cancelling'))))));
      return out;
    }
    // Counts by class: each a filter of the rows below.
    out.push(
      h(
        this.doc,
        'ul',
        { class: 'amo-console__chips', 'data-clean-counts': '' },
        ...CLASSES.map((c) => h(this.doc, 'li', { 'data-class': c }, h(this.doc, 'button', { type: 'button', class: 'amo-console__link', 'data-key': `clean-show-${c}`, 'aria-pressed': String(this.shown === c), onClick: () => this.run(async () => ((this.shown = c), null)) }, fill(this.t(`console.clean.class_${c}`), { n: n(job.counts[c]) })))),
      ),
    );
    if (job.applied || job.skipped || job.parked || job.undone) out.push(h(this.doc, 'p', { 'data-clean-results': '' }, [plural(this.t, 'console.clean.applied', job.applied), job.skipped ? plural(this.t, 'console.clean.skipped', job.skipped) : '', job.parked ? plural(this.t, 'console.clean.parked', job.parked) : '', job.undone ? plural(this.t, 'console.clean.undone', job.undone) : ''].filter(Boolean).join(' ')));
    out.push(this.table(job));
    const lang = this.locale.startsWith('en') ? 'en' : 'ru';
    const download = (kind: 'report' | 'undo') => () =>
      this.run(async () => {
        const { url } = await this.api.cleanDownload(job.id, kind, lang);
        // The browser saves it (Content-Disposition: attachment); the page stays.
        h(this.doc, 'a', { href: url, download: '' }).click();
        return null;
      });
    const toApply = job.counts.normalise - job.applied - job.skipped - job.parked - job.undone;
    out.push(
      h(
        this.doc,
        'p',
        { class: 'amo-console__row' },
        this.button('clean-apply-ticked', plural(this.t, 'console.clean.apply_ticked', this.ticked.size), () => this.apply(job, [...this.ticked]), { disabled: !this.ticked.size }),
        this.button('clean-apply-all', plural(this.t, 'console.clean.apply_all', Math.max(0, toApply)), () => this.apply(job, null), { primary: true, disabled: toApply <= 0 }),
        this.button('clean-report', this.t('console.clean.download_report'), download('report')),
        job.applied > 0 && this.button('clean-undo-file', this.t('console.clean.download_undo'), download('undo')),
        job.applied > 0 &&
          this.button('clean-undo', this.t('console.clean.undo'), () => {
            if (!globalThis.confirm(plural(this.t, 'console.clean.confirm_undo', job.applied))) return;
            this.run(async () => ((this.job = (await this.api.undoClean(job.id)).job), null));
          }),
      ),
    );
    return out;
  }

  private apply(job: CleanJob, ids: number[] | null): void {
    const count = ids ? ids.length : job.counts.normalise;
    if (!globalThis.confirm(plural(this.t, 'console.clean.confirm_apply', count))) return;
    this.run(async () => {
      this.job = (await this.api.applyClean(job.id, ids)).job;
      this.ticked.clear();
      return null;
    });
  }

  /** The first rows of the class shown; rows that will be normalised can be ticked. */
  private table(job: CleanJob): HTMLElement {
    const head = ['', 'console.clean.col_old', 'console.clean.col_new', 'console.clean.col_verdict', 'console.clean.col_zone', 'console.clean.col_state'] as const;
    const body = this.rows.map((r) => {
      const tickable = r.class === 'normalise' && r.state === 'none';
      const box = h(this.doc, 'input', { type: 'checkbox', 'data-key': `clean-tick-${r.entityId}`, 'aria-label': fill(this.t('console.clean.tick'), { id: r.entityId }), checked: this.ticked.has(r.entityId), disabled: !tickable, onChange: (e: Event) => ((e.target as HTMLInputElement).checked ? this.ticked.add(r.entityId) : this.ticked.delete(r.entityId), this.redraw()) });
      return h(
        this.doc,
        'tr',
        { 'data-row': String(r.entityId) },
        h(this.doc, 'td', {}, box),
        h(this.doc, 'td', {}, h(this.doc, 'a', { href: r.link, target: '_blank', rel: 'noopener' }, r.oldValue || '—')),
        h(this.doc, 'td', {}, r.newValue ?? '—'),
        h(this.doc, 'td', {}, r.verdict ? this.t(`console.clean.verdict_${r.verdict}`) : '—'),
        h(this.doc, 'td', {}, r.zone ? `${r.zone}${r.price !== null ? `, ${r.price.toLocaleString(this.locale)}` : ''}` : '—'),
        h(this.doc, 'td', { title: r.reason ?? '' }, r.state === 'none' ? '' : this.t(`console.clean.state_${r.state}`)),
      );
    });
    return h(
      this.doc,
      'div',
      { class: 'amo-console__scroll' },
      h(this.doc, 'p', { class: 'amo-console__note' }, fill(this.t('console.clean.rows_shown'), { shown: this.rows.length.toLocaleString(this.locale), total: this.total.toLocaleString(this.locale), of: job.read.toLocaleString(this.locale) })),
      h(this.doc, 'table', { class: 'amo-console__table', 'data-clean-rows': '' }, h(this.doc, 'thead', {}, h(this.doc, 'tr', {}, ...head.map((k) => h(this.doc, 'th', { scope: 'col' }, k ? this.t(k) : '')))), h(this.doc, 'tbody', {}, ...body)),
    );
  }

  private button(key: string, text: string, onClick: () => void, options: { primary?: boolean; disabled?: boolean } = {}): HTMLButtonElement {
    return button(this.doc, key, text, onClick, options);
  }
}
