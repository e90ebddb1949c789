/** The widget's CSS, injected once under one root class (reference §1: unique class names). */
export const STYLE_ID = 'amo-address-style';

const CSS = `
.amo-address__list{position:absolute;z-index:1000;margin:2px 0 0;padding:4px 0;list-style:none;background:#fff;border:1px solid #c9d1d9;border-radius:4px;box-shadow:0 4px 12px rgba(0,0,0,.12);max-height:320px;overflow:auto;box-sizing:border-box;font:13px/1.4 inherit}
.amo-address__item{padding:6px 10px;cursor:pointer;color:#1f2a37;white-space:normal;overflow-wrap:anywhere}
@media (pointer:coarse){.amo-address__item{min-height:44px;box-sizing:border-box;padding:11px 12px;line-height:22px;font-size:15px}}
.amo-address__item strong{font-weight:600;color:#0b5ed7}
.amo-address__item--active{background:#e8f0fe}
.amo-address__status{position:absolute;z-index:1000;margin:2px 0 0;padding:6px 10px;background:#fff;border:1px solid #c9d1d9;border-radius:4px;box-shadow:0 4px 12px rgba(0,0,0,.12);color:#5f6b7a;font:13px/1.4 inherit;box-sizing:border-box}
.amo-address__live{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.amo-address__notice{margin-top:2px;font-size:12px;color:#8a5300}
.amo-address__caption{padding:6px 10px;font-size:12px;color:#8a5300}
`;

/**
 * The stylesheet belongs to the page, not to one widget instance: amoCRM may start a new instance
 * before it destroys the old one (a card swap), and the old one's destroy must not take the
 * styles from under the new one's list. Each instance holds a reference; the last one out removes
 * the sheet.
 */
export function injectStyles(doc: Document): () => void {
  let style = doc.getElementById(STYLE_ID) as HTMLStyleElement | null;
  if (!style) {
    style = doc.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    style.dataset.holders = '0';
    doc.head.appendChild(style);
  }
  const sheet = style;
  sheet.dataset.holders = String(Number(sheet.dataset.holders ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = Number(sheet.dataset.holders ?? 1) - 1;
    sheet.dataset.holders = String(left);
    if (left <= 0) sheet.remove();
  };
}
