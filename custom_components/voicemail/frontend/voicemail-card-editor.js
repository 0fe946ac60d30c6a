// The visual editor of custom:voicemail-card: the account's event entity, a title, how many.
//
// Imported by the card's getConfigElement(), which hands over its texts and entity list, so
// every text lives in voicemail-card-texts.js. Uses Home Assistant's entity picker when the page
// has it, else a <select> of the voicemail event entities; fires `config-changed`.

let shared;

const STYLE = `
  :host { display: block; }
  label { display: flex; flex-direction: column; gap: 4px; margin-bottom: 16px; color: var(--primary-text-color); }
  input, select { font: inherit; padding: 8px; border-radius: 4px; color: var(--primary-text-color);
    background: var(--card-background-color, var(--secondary-background-color)); border: 1px solid var(--divider-color, #ccc); }
  ha-entity-picker { display: block; margin-bottom: 16px; }
`;

class VoicemailCardEditor extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._config = {};
  }

  setConfig(config) {
    // Our own change coming back: the form already shows it (and keeps the focus).
    if (this._rendered && JSON.stringify(config) === JSON.stringify(this._config)) return;
    this._config = { ...config };
    this._render();
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (this._picker) this._picker.hass = hass;
    if (first) this._render();
  }

  _changed(key, value) {
    const config = { ...this._config };
    if (value === "" || value === undefined || Number.isNaN(value)) delete config[key];
    else config[key] = value;
    this._config = config;
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }

  _render() {
    if (!this._hass) return;
    const { text, eventEntities } = shared;
    const t = (key) => text(this._hass, key);
    const entities = eventEntities(this._hass);
    let entity;
    this._picker = null;
    if (customElements.get("ha-entity-picker")) {
      entity = document.createElement("ha-entity-picker");
      entity.hass = this._hass;
      entity.label = t("entity");
      entity.value = this._config.entity || "";
      entity.includeEntities = entities;
      entity.includeDomains = ["event"];
      entity.addEventListener("value-changed", (ev) => this._changed("entity", ev.detail.value || ""));
      this._picker = entity;
    } else {
      const select = document.createElement("select");
      for (const id of ["", ...entities]) {
        const option = document.createElement("option");
        option.value = id;
        option.textContent = id ? this._hass.states[id]?.attributes.friendly_name || id : "—";
        option.selected = id === (this._config.entity || "");
        select.append(option);
      }
      select.addEventListener("change", () => this._changed("entity", select.value));
      entity = labelled(t("entity"), select);
    }
    const title = document.createElement("input");
    title.type = "text";
    title.value = this._config.title || "";
    title.addEventListener("change", () => this._changed("title", title.value));
    const most = document.createElement("input");
    most.type = "number";
    most.min = "1";
    most.value = this._config.max_items ?? "";
    most.addEventListener("change", () => this._changed("max_items", most.value === "" ? "" : parseInt(most.value, 10)));
    const style = document.createElement("style");
    style.textContent = STYLE;
    this.shadowRoot.replaceChildren(style, entity, labelled(t("title"), title), labelled(t("max_items"), most));
    this._rendered = true;
  }
}

function labelled(caption, control) {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.textContent = caption;
  label.append(span, control);
  return label;
}

export function defineEditor(helpers) {
  shared = helpers;
  if (!customElements.get("voicemail-card-editor")) customElements.define("voicemail-card-editor", VoicemailCardEditor);
}
