'use strict';
// The few HTML pages the handler itself answers with (a refusal a browser should read rather
// than a JSON body): sign-in that could not complete, the identity provider unreachable, a
// signed-in viewer without the tier. Each is one self-contained page (inline style, no
// script, no other asset: it may be served at any URL) in the site's look, with links to
// go on, never an automatic redirect, so that no failure can loop. Every dynamic value is
// HTML-escaped. Pages stay far below Lambda@Edge's 40 KB generated-response limit whatever
// the URL: the callers show a path cut short and link to a shortened way back (sign-in.js,
// redirect.js `waysBack`).

const { respond } = require('./responses');

const STYLE = [
  ':root{--ink:#1d2330;--muted:#5b6475;--line:#dde2ea;--bg:#f6f7fb;--accent:#3559e0;--warn:#a4420c}',
  '*{box-sizing:border-box}',
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}',
  'header{display:flex;align-items:center;padding:.8rem 1.5rem;background:#fff;border-bottom:1px solid var(--line)}',
  'header a{font-weight:700;color:var(--ink);text-decoration:none}',
  'main{max-width:40rem;margin:0 auto;padding:2rem 1.5rem}',
  'h1{margin:.2rem 0 1rem;font-size:1.6rem}',
  '.box{background:#fff;border:1px solid var(--line);border-radius:.6rem;padding:1.2rem 1.4rem}',
  '.box p{margin:.4rem 0}',
  '.actions{display:flex;flex-wrap:wrap;gap:.8rem;margin-top:1rem}',
  '.actions a{display:inline-block;padding:.5rem .9rem;border-radius:.35rem;border:1px solid var(--line);text-decoration:none;color:var(--accent);font-weight:600}',
  '.actions a.primary{background:var(--accent);border-color:var(--accent);color:#fff}',
  '.hint{color:var(--muted);font-size:.9rem}',
].join('');

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * @typedef {{href: string, text: string, primary?: boolean, id?: string}} PageLink
 * @typedef {{title: string, paragraphs: string[], links?: PageLink[], hint?: string, kind: string}} PageContent
 *   `kind` goes to `data-page` on <html>, for tests and site scripts
 */

/** @param {PageContent} content @returns {string} */
function html({ title, paragraphs, links = [], hint, kind }) {
  const actions = links
    .map((l) => `<a href="${escape(l.href)}"${l.id ? ` id="${escape(l.id)}"` : ''}${l.primary ? ' class="primary"' : ''}>${escape(l.text)}</a>`)
    .join('');
  return [
    `<!doctype html><html lang="en" data-page="${escape(kind)}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="robots" content="noindex"><title>${escape(title)}</title><style>${STYLE}</style></head>`,
    '<body><header><a href="/">Home</a></header><main>',
    `<h1>${escape(title)}</h1><div class="box">`,
    paragraphs.map((p) => `<p>${escape(p)}</p>`).join(''),
    actions ? `<div class="actions">${actions}</div>` : '',
    '</div>',
    hint ? `<p class="hint">${escape(hint)}</p>` : '',
    '</main></body></html>',
  ].join('');
}

/**
 * A generated HTML response.
 * @param {number} status @param {PageContent} content
 * @param {{setCookies?: string[], headers?: Record<string, string>}} [extra]
 */
function page(status, content, { setCookies, headers } = {}) {
  return respond(status, { html: html(content), setCookies, headers });
}

module.exports = { page, escape };
