// i18n: one flat table of strings per language, looked up by key.
// Why flat keys instead of a library: no build step, no external fetches, and the admin
// module (web/js/admin/) must be able to add its own strings at runtime (registerStrings).
//
// Languages: "en" and "pt-BR". The initial choice follows navigator.languages (first
// match wins), then a saved choice in localStorage overrides it (the language switch).

const LANGS = ["en", "pt-BR"];
const STORAGE_KEY = "sb.lang";

/** @type {{[lang: string]: {[key: string]: string}}} */
const tables = { en: {}, "pt-BR": {} };
const listeners = new Set();

function detect() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (_) { /* storage disabled: fall through */ }
  const prefs = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || "en"];
  for (const p of prefs) {
    const l = String(p).toLowerCase();
    if (l.startsWith("pt")) return "pt-BR";
    if (l.startsWith("en")) return "en";
  }
  return "en";
}

let current = detect();

/** Adds (or overrides) strings: registerStrings({en: {...}, "pt-BR": {...}}). */
export function registerStrings(byLang) {
  for (const [lang, strings] of Object.entries(byLang || {})) {
    if (!tables[lang]) tables[lang] = {};
    Object.assign(tables[lang], strings);
  }
}

/**
 * Translates key in the current language; falls back to English, then to the key itself
 * (so a missing string is visible, not blank). vars fill {name} placeholders.
 * A "{n|one|other}" style is not used: callers pick keys like "x.one"/"x.other" via plural().
 */
export function t(key, vars) {
  let s = tables[current]?.[key];
  if (s === undefined) s = tables.en[key];
  if (s === undefined) s = key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** Picks key + ".one" or key + ".other" by count (both languages pluralise on n === 1). */
export function plural(key, n, vars) {
  return t(`${key}.${n === 1 ? "one" : "other"}`, { n, ...(vars || {}) });
}

export function getLang() { return current; }
export function languages() { return LANGS.slice(); }

/** Switches language, remembers it, updates <html lang> and tells listeners. */
export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch (_) { /* ignore */ }
  document.documentElement.lang = lang;
  for (const cb of listeners) { try { cb(lang); } catch (e) { console.error(e); } }
}

/** cb(lang) after each switch; returns an unsubscribe function. */
export function onLanguageChange(cb) {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Locale-aware time formatting helpers (Intl, no library). */
export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return "";
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString(current, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleDateString(current, { day: "2-digit", month: "2-digit" });
}

export function formatDateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return "";
  return d.toLocaleString(current, { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
}
