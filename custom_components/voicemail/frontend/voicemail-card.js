// custom:voicemail-card: one ICWS voicemail account's messages, played, marked and deleted inline.
//
// Served by the integration (card.py) and loaded on every dashboard; no build step, no imports
// from elsewhere, no Home Assistant frontend internals: plain elements in a shadow root, styled
// with the theme's CSS variables. Data: the `voicemail.list` action (newest first); a change of
// the account's event entity or sensors (they change with every received, read, deleted,
// playback and transcript) lists again. Audio: the media source resolves a message to a signed
// URL of the integration's audio view, which an <audio> element plays. The visual editor is
// voicemail-card-editor.js, imported (with this file's version) when it is opened.

const DOMAIN = "voicemail";
const CARD = "voicemail-card";
const VERSION = new URL(import.meta.url).search;

// The texts and the hash live in files of their own, imported with this file's version (the
// static path is cached for long: an unversioned URL would keep an old copy after an update).
const { TEXTS } = await import(new URL(`./${CARD}-texts.js${VERSION}`, import.meta.url));
const { sha256Hex } = await import(new URL(`./${CARD}-sha256.js${VERSION}`, import.meta.url));

export function text(hass, key, vars = {}) {
  const language = (hass && (hass.locale?.language || hass.language)) || "en";
  const table = TEXTS[language] || TEXTS[language.split("-")[0]] || TEXTS.en;
  const template = table[key] ?? TEXTS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// The account's voicemail event entities (entities of this integration's event platform).
export function eventEntities(hass) {
  return Object.values(hass?.entities || {})
    .filter((e) => e.platform === DOMAIN && e.entity_id.startsWith("event."))
    .map((e) => e.entity_id)
    .sort();
}

const ICONS = {
  play: "M8,5.14V19.14L19,12.14L8,5.14Z",
  phone:
    "M15,12H17A5,5 0 0,0 12,7V9A3,3 0 0,1 15,12M19,12H21C21,7 16.97,3 12,3V5C15.86,5 19,8.13 19,12M20,15.5C18.75,15.5 17.55,15.3 16.43,14.93C16.08,14.82 15.69,14.9 15.41,15.18L13.21,17.38C10.38,15.94 8.06,13.62 6.62,10.79L8.82,8.59C9.1,8.31 9.18,7.92 9.07,7.57C8.7,6.45 8.5,5.25 8.5,4A1,1 0 0,0 7.5,3H4A1,1 0 0,0 3,4A17,17 0 0,0 20,21A1,1 0 0,0 21,20V16.5A1,1 0 0,0 20,15.5Z",
  stop: "M18,18H6V6H18V18Z",
  read: "M21.03 6.29L12 .64L2.97 6.29C2.39 6.64 2 7.27 2 8V18C2 19.1 2.9 20 4 20H20C21.1 20 22 19.1 22 18V8C22 7.27 21.61 6.64 21.03 6.29M20 18H4V10L12 15L20 10V18M12 13L4 8L12 3L20 8L12 13Z",
  unread:
    "M22 6C22 4.9 21.1 4 20 4H4C2.9 4 2 4.9 2 6V18C2 19.1 2.9 20 4 20H20C21.1 20 22 19.1 22 18V6M20 6L12 11L4 6H20M20 18H4V8L12 13L20 8V18Z",
  delete:
    "M6,19A2,2 0 0,0 8,21H16A2,2 0 0,0 18,19V7H6V19M8,9H16V19H8V9M15.5,4L14.5,3H9.5L8.5,4H5V6H19V4H15.5Z",
};

// The name part of an ICWS `from` ('"Bob Smith" <+15551234>'), else the address (intent.py).
export function callerName(sender) {
  const match = /^\s*([^<]*?)\s*<([^>]*)>\s*$/.exec(sender || "");
  return match ? match[1].replace(/^[" ]+|[" ]+$/g, "") || match[2].trim() : (sender || "").trim();
}

export function formatSeconds(seconds) {
  const total = Math.max(0, Math.round(seconds || 0));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function formatTime(hass, iso) {
  const language = hass.locale?.language || hass.language || "en";
  const timeZone = hass.locale?.time_zone === "local" ? undefined : hass.config?.time_zone;
  const options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  try {
    return new Date(iso).toLocaleString(language, { ...options, timeZone });
  } catch (err) {
    return new Date(iso).toLocaleString(undefined, options);
  }
}

// A small element factory: properties and attributes, children as nodes or text (never HTML).
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class" || key.includes("-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function icon(path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}

const STYLE = `
  :host { display: block; }
  .card { background: var(--ha-card-background, var(--card-background-color, #fff));
    color: var(--primary-text-color); border-radius: var(--ha-card-border-radius, 12px);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none); padding: 8px 0; overflow: hidden; }
  h2 { margin: 0; padding: 8px 16px; font-size: var(--ha-card-header-font-size, 1.25rem); font-weight: 400; }
  ul { list-style: none; margin: 0; padding: 0; }
  li { padding: 8px 16px; border-top: 1px solid var(--divider-color, #e0e0e0); }
  li:first-child { border-top: none; }
  .line { display: flex; align-items: center; gap: 8px; min-width: 0; }
  .dot { flex: none; width: 10px; height: 10px; border-radius: 50%; background: var(--primary-color, #03a9f4); }
  .dot.read { background: transparent; }
  .caller { flex: 1; min-width: 0; font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  li.read .caller { font-weight: 400; }
  .meta { color: var(--secondary-text-color); font-size: 0.875rem; white-space: nowrap; }
  .badge { font-size: 0.75rem; padding: 1px 6px; border-radius: 8px; color: var(--text-primary-color, #fff);
    background: var(--secondary-text-color, #727272); }
  .transcript { margin: 4px 0 0 18px; color: var(--secondary-text-color); font-style: italic;
    overflow-wrap: anywhere; }
  .actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 4px; margin-top: 4px; }
  button { font: inherit; color: var(--primary-text-color); background: none; border: none;
    border-radius: 50%; width: 40px; height: 40px; padding: 8px; cursor: pointer; }
  button svg { width: 24px; height: 24px; fill: currentColor; }
  button:hover { background: var(--secondary-background-color, rgba(127, 127, 127, 0.15)); }
  button:focus-visible { outline: 2px solid var(--primary-color, #03a9f4); outline-offset: 1px; }
  button:disabled { opacity: 0.4; cursor: default; }
  button.text { width: auto; border-radius: 8px; padding: 0 12px; color: var(--primary-color, #03a9f4); }
  button.danger { color: var(--error-color, #db4437); }
  .confirm { display: flex; flex-wrap: wrap; align-items: center; justify-content: flex-end; gap: 4px; margin-top: 4px; }
  .player { display: flex; align-items: center; gap: 8px; margin-top: 4px; }
  progress { flex: 1; min-width: 0; height: 6px; accent-color: var(--primary-color, #03a9f4); }
  .empty, .error { padding: 8px 16px; color: var(--secondary-text-color); }
  .error { color: var(--error-color, #db4437); }
`;

class VoicemailCard extends HTMLElement {
  static async getConfigElement() {
    const { defineEditor } = await import(new URL(`./${CARD}-editor.js${VERSION}`, import.meta.url));
    defineEditor({ text, eventEntities });
    return document.createElement(`${CARD}-editor`);
  }

  static getStubConfig(hass) {
    return { entity: eventEntities(hass)[0] || "" };
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._messages = [];
    this._error = "";
    this._confirming = null; // message id whose deletion waits for a confirmation
    this._playing = null; // message id the browser plays
    this._signature = "";
    this._audio = new Audio();
    this._audio.preload = "none";
    for (const name of ["timeupdate", "durationchange", "playing", "pause", "ended"]) {
      this._audio.addEventListener(name, () => this._updatePlayer(name));
    }
  }

  setConfig(config) {
    if (!config || typeof config.entity !== "string") throw new Error("entity: the account's voicemail event entity");
    if (config.entity !== this._config?.entity) this._unsubscribe();
    this._config = { ...config };
    this._entryId = undefined;
    this._signature = "";
    if (this._hass) this.hass = this._hass;
  }

  getCardSize() {
    return 1 + Math.min(this._messages.length || 1, this._config?.max_items || 5) * 2;
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6 };
  }

  set hass(hass) {
    this._hass = hass;
    const signature = this._watchSignature(hass);
    if (signature !== this._signature) {
      this._signature = signature;
      this._subscribe();
      this._refresh();
    }
  }

  get hass() {
    return this._hass;
  }

  connectedCallback() {
    this._subscribe();
  }

  disconnectedCallback() {
    this._audio.pause();
    this._unsubscribe();
  }

  // Listen to the account's pushed changes (a new message, a duration learned after its
  // audio was fetched: no entity state tells that); the state watch stays as a fallback.
  async _subscribe() {
    const entity = this._config?.entity;
    if (this._subscription || !this.isConnected || !this._hass?.connection || !this._hass.states[entity]) return;
    const subscription = (this._subscription = { entity, unsubscribe: null });
    try {
      const entry = await this._entry();
      const unsubscribe = await this._hass.connection.subscribeMessage(() => this._refresh(), {
        type: `${DOMAIN}/subscribe`,
        config_entry_id: entry,
      });
      if (this._subscription === subscription) subscription.unsubscribe = unsubscribe;
      else unsubscribe();
    } catch (err) {
      // Not loaded (yet): the state watch lists again; a later update of hass retries.
      if (this._subscription === subscription) this._subscription = null;
    }
  }

  _unsubscribe() {
    const subscription = this._subscription;
    this._subscription = null;
    subscription?.unsubscribe?.();
  }

  // The states whose changes mean the mailbox changed: the event entity and the account's sensors.
  _watchSignature(hass) {
    const entity = this._config?.entity;
    if (!entity) return "none";
    const device = hass.entities?.[entity]?.device_id;
    const watched = Object.values(hass.entities || {})
      .filter((e) => e.entity_id === entity || (device && e.device_id === device && e.entity_id.startsWith("sensor.")))
      .map((e) => e.entity_id)
      .sort();
    if (!watched.includes(entity)) watched.push(entity);
    return watched.map((id) => `${id}=${hass.states[id]?.last_updated ?? "-"}`).join("|");
  }

  async _entry() {
    if (this._entryId) return this._entryId;
    const entity = this._config.entity;
    const known = this._hass.entities?.[entity]?.config_entry_id;
    const entry = known || (await this._hass.callWS({ type: "config/entity_registry/get", entity_id: entity })).config_entry_id;
    this._entryId = entry;
    return entry;
  }

  // List again (one request at a time; a change during one lists once more afterwards).
  async _refresh() {
    if (this._listing) {
      this._again = true;
      return;
    }
    this._listing = true;
    try {
      do {
        this._again = false;
        await this._list();
      } while (this._again);
    } finally {
      this._listing = false;
    }
  }

  async _list() {
    const entity = this._config?.entity;
    if (!entity) return this._render(text(this._hass, "no_entity"));
    if (!this._hass.states[entity]) return this._render(text(this._hass, "unknown_entity", { entity }));
    try {
      const entry = await this._entry();
      const answer = await this._hass.callWS({
        type: "call_service",
        domain: DOMAIN,
        service: "list",
        service_data: { config_entry_id: entry },
        return_response: true,
      });
      this._messages = answer.response.voicemails;
      this._render("");
    } catch (err) {
      this._render(err.message || String(err));
    }
  }

  async _call(service, data) {
    try {
      await this._hass.callWS({
        type: "call_service",
        domain: DOMAIN,
        service,
        service_data: { config_entry_id: await this._entry(), ...data },
      });
      this._error = "";
    } catch (err) {
      this._error = err.message || String(err);
    }
    this._confirming = null;
    await this._refresh();
  }

  async _playHere(message) {
    try {
      const key = sha256Hex(message.message_id).slice(0, 12);
      const media = await this._hass.callWS({
        type: "media_source/resolve_media",
        media_content_id: `media-source://${DOMAIN}/${await this._entry()}/${key}`,
      });
      this._audio.pause();
      this._playing = message.message_id;
      this._audio.src = this._hass.hassUrl ? this._hass.hassUrl(media.url) : media.url;
      this._render("");
      await this._audio.play();
    } catch (err) {
      this._playing = null;
      this._render(err.message || String(err));
    }
  }

  _stop(message) {
    if (this._playing === message.message_id) {
      this._audio.pause();
      this._playing = null;
      this._render("");
    }
    if (message.playing) this._call("stop_playback", { message_id: message.message_id });
  }

  _updatePlayer(event) {
    if (event === "ended") {
      this._playing = null;
      return this._render("");
    }
    const bar = this.shadowRoot.querySelector("progress");
    if (!bar) return;
    const duration = Number.isFinite(this._audio.duration) ? this._audio.duration : 0;
    bar.max = duration || 1;
    bar.value = this._audio.currentTime;
    this.shadowRoot.querySelector(".elapsed").textContent =
      `${formatSeconds(this._audio.currentTime)} / ${formatSeconds(duration)}`;
  }

  _render(error) {
    if (error !== undefined) this._error = error;
    const hass = this._hass;
    // Keep the keyboard focus on the same button of the same message across a re-render.
    const focused = this.shadowRoot.activeElement?.dataset?.focusKey;
    const shown = this._messages.slice(0, this._config?.max_items || undefined);
    const card = h(
      "div",
      { class: "card" },
      h("h2", {}, this._config?.title || text(hass, "name")),
      this._error && h("div", { class: "error", role: "alert" }, this._error),
      shown.length === 0 && !this._error && h("div", { class: "empty" }, text(hass, "empty")),
      h("ul", {}, shown.map((message) => this._row(message))),
    );
    this.shadowRoot.replaceChildren(h("style", {}, STYLE), card);
    if (focused) this.shadowRoot.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    this._updatePlayer("render");
  }

  _row(message) {
    const hass = this._hass;
    const caller = callerName(message.from);
    const id = message.message_id;
    // `key`: the same for the two faces of a toggle, so that the focus stays on it.
    const button = (key, label, path, onclick, extra = {}) =>
      h("button", { type: "button", "aria-label": label, title: label, "data-focus-key": `${key}:${id}`, onclick, ...extra }, icon(path));
    const here = this._playing === id;
    const meta = [formatTime(hass, message.received), message.duration != null && formatSeconds(message.duration)];
    const actions = [];
    if (!message.fax) {
      actions.push(
        here || message.playing
          ? button("listen", text(hass, "stop", { caller }), ICONS.stop, () => this._stop(message))
          : button("listen", text(hass, "play_here", { caller }), ICONS.play, () => this._playHere(message)),
        button("there", text(hass, "play_there", { caller }), ICONS.phone, () => this._call("play", { message_id: id }), {
          disabled: message.playing,
        }),
      );
    }
    actions.push(
      message.read
        ? button("read", text(hass, "mark_unread", { caller }), ICONS.unread, () => this._call("mark_unread", { message_id: id }))
        : button("read", text(hass, "mark_read", { caller }), ICONS.read, () => this._call("mark_read", { message_id: id })),
      button("delete", text(hass, "delete", { caller }), ICONS.delete, () => {
        this._confirming = id;
        this._render();
        this.shadowRoot.querySelector(`[data-focus-key="cancel:${CSS.escape(id)}"]`)?.focus();
      }),
    );
    const confirm =
      this._confirming === id &&
      h(
        "div",
        { class: "confirm", role: "group", "aria-label": text(hass, "confirm_delete", { caller }) },
        h("span", {}, text(hass, "confirm_delete", { caller })),
        h("button", { type: "button", class: "text danger", "data-focus-key": `confirm:${id}`, onclick: () => this._call("delete", { message_id: id }) }, text(hass, "confirm")),
        h("button", { type: "button", class: "text", "data-focus-key": `cancel:${id}`, onclick: () => { this._confirming = null; this._render(); } }, text(hass, "cancel")),
      );
    const player =
      here &&
      h(
        "div",
        { class: "player", role: "group", "aria-label": text(hass, "now_playing", { caller }) },
        h("progress", { max: 1, value: 0, "aria-label": text(hass, "position", { caller }) }),
        h("span", { class: "meta elapsed" }, "0:00"),
        // The one <audio> element, moved into the new row within the same task: it plays on.
        this._audio,
      );
    return h(
      "li",
      { class: message.read ? "read" : "unread", "data-message-id": id },
      h(
        "div",
        { class: "line" },
        message.read
          ? h("span", { class: "dot read", "aria-hidden": "true" })
          : h("span", { class: "dot", role: "img", "aria-label": text(hass, "unread"), title: text(hass, "unread") }),
        h("span", { class: "caller", title: message.from }, caller),
        message.fax && h("span", { class: "badge" }, text(hass, "fax")),
        h("span", { class: "meta" }, meta.filter(Boolean).join(" · ")),
      ),
      message.transcript && h("div", { class: "transcript" }, message.transcript),
      player,
      h("div", { class: "actions" }, actions),
      confirm,
    );
  }
}

// Defined once Home Assistant's app element is: the app installs a scoped custom element
// registry (a polyfill replacing window.customElements), and a card defined in the browser's own
// registry before that (this module can load first) stays unknown to the dashboards.
Promise.race(["home-assistant", "hc-main"].map((app) => customElements.whenDefined(app))).then(() => {
  if (!window.customElements.get(CARD)) window.customElements.define(CARD, VoicemailCard);
});
window.customCards = window.customCards || [];
if (!window.customCards.some((card) => card.type === CARD)) {
  window.customCards.push({
    type: CARD,
    name: TEXTS.en.name,
    description: TEXTS.en.description,
    preview: true,
    documentationURL: "https://github.com/icws-voicemail/ha-icws-voicemail#the-voicemail-card",
  });
}
