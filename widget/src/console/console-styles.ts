/**
 * The console's CSS, under its own root class (reference §1: unique class names). It follows
 * amoCRM's look — PT Sans, 14px text, grey-bordered controls, its blue for the main action — so
 * the page sits inside amoCRM's settings without a foreign UI kit; focus is always visible.
 */
const CSS = `
.amo-console{font:14px/1.45 "PT Sans",Arial,sans-serif;color:#313942;max-width:960px;padding:8px 0 24px}
.amo-console__title{font-size:20px;font-weight:normal;margin:0 0 12px}
.amo-console__section{border-top:1px solid #e8eaeb;padding:14px 0}
.amo-console__section h2{font-size:16px;font-weight:bold;margin:0 0 8px}
.amo-console__note{color:#6b6d72;margin:4px 0 8px}
.amo-console__error{color:#c8331e}
.amo-console__ok{color:#2e7d32}
.amo-console__button{display:inline-block;height:36px;padding:0 16px;margin:4px 8px 4px 0;border:1px solid #d4d5d8;border-radius:3px;background:#fbfafb;color:#313942;font:inherit;line-height:34px;text-decoration:none;cursor:pointer}
.amo-console__button--primary{background:#1a5fd0;border-color:#1a5fd0;color:#fff}
.amo-console__button[disabled]{opacity:.5;cursor:default}
.amo-console button:focus-visible,.amo-console a:focus-visible,.amo-console select:focus-visible,.amo-console input:focus-visible,.amo-console summary:focus-visible{outline:2px solid #1c5fd6;outline-offset:2px}
.amo-console select,.amo-console input{height:36px;padding:0 8px;border:1px solid #d4d5d8;border-radius:3px;background:#fff;font:inherit;color:inherit;max-width:100%}
.amo-console label{display:block;margin:8px 0 2px;color:#6b6d72;font-size:13px}
.amo-console__row{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.amo-console__figure{margin:8px 0}
.amo-console__map{display:block;width:100%;max-width:600px;height:auto;border:1px solid #e8eaeb;background:#fafbfc}
.amo-console input[type=color]{width:44px;padding:2px}
.amo-console__swatch{display:inline-block;width:16px;height:16px;border-radius:3px;vertical-align:middle}
.amo-console input[type=checkbox]{height:auto}
.amo-console__row label{margin:0}
.amo-console__grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:16px}
.amo-console__fieldset{border:1px solid #e8eaeb;border-radius:3px;padding:8px 12px 12px;margin:0 0 8px}
.amo-console__fieldset select{width:100%}
.amo-console__key{width:420px;font-family:monospace}
.amo-console__table{border-collapse:collapse;margin:8px 0;width:100%}
.amo-console__table th,.amo-console__table td{border-bottom:1px solid #e8eaeb;padding:6px 8px;text-align:left;vertical-align:middle}
.amo-console__table th{color:#6b6d72;font-weight:normal;font-size:13px}
.amo-console__list{list-style:none;padding:0;margin:8px 0}
.amo-console__list li{border:1px solid #e8eaeb;border-radius:3px;padding:8px 12px;margin-bottom:8px}
.amo-console__snippet pre{background:#f5f5f5;border:1px solid #e8eaeb;padding:8px;overflow:auto;font-size:12px}
.amo-console progress{width:320px;height:8px}
.amo-console__scroll{overflow-x:auto}
.amo-console__chips{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:8px 0}
.amo-console__chips li{border:1px solid #e8eaeb;border-radius:3px;padding:6px 10px}
.amo-console__link{background:none;border:0;padding:0;color:#1a5fd0;text-decoration:underline;cursor:pointer;font:inherit}
.amo-console__link[aria-pressed=true]{font-weight:bold;text-decoration:none}
`;

export const CONSOLE_STYLE_ID = 'amo-address-console-style';

export function injectConsoleStyles(doc: Document): void {
  if (doc.getElementById(CONSOLE_STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = CONSOLE_STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}
