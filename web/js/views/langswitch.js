// The language switch: a native <select> (keyboard and screen-reader friendly for free).
import { h } from "../dom.js";
import { t, getLang, setLang, languages } from "../i18n.js";

export function langSwitch(id = "lang-switch") {
  const sel = h("select", { id, class: "lang-switch", attrs: { "aria-label": t("lang.label") }, on: { change: () => setLang(sel.value) } },
    languages().map((l) => h("option", { value: l, selected: l === getLang(), text: t(`lang.${l}`) })));
  return sel;
}
