// "Set up your workspace": what exists so far, in the order an admin usually sets it up.
import { h, replace } from "../dom.js";
import { errorText } from "../errors.js";

const ORDER = ["departments", "agents", "tags", "connections", "pipelines", "automations"];

export function mountOverview(root, env) {
  const { t } = env;
  const list = h("ol", { class: "adm-setup", "aria-busy": "true" });
  replace(root,
    h("div", { class: "adm-section-head" },
      h("div", {}, h("h2", { text: t("admin.overview.title") }), h("p", { class: "adm-intro", text: t("admin.overview.intro") }))),
    list);
  let alive = true;
  Promise.all(ORDER.map((k) => env.store.list(k).then((items) => items.filter((i) => i.active).length, (err) => err)))
    .then((counts) => {
      if (!alive) return;
      list.setAttribute("aria-busy", "false");
      replace(list, ORDER.map((k, i) => {
        const n = counts[i];
        const failed = n instanceof Error;
        const done = !failed && n > 0;
        return h("li", { class: `adm-setup-item${done ? " adm-setup-done" : ""}` },
          h("span", { class: "adm-setup-mark", "aria-hidden": "true", text: done ? "✓" : String(i + 1) }),
          h("div", { class: "adm-setup-text" },
            h("h3", { text: t(`admin.${k}.title`) }),
            h("p", { class: "adm-help", text: t(`admin.overview.${k}`) }),
            h("p", { class: failed ? "adm-field-error" : "adm-muted", text: failed ? errorText(n, t) : t(n === 1 ? "admin.overview.count.one" : "admin.overview.count.other", { n }) })),
          h("button", { type: "button", class: `adm-btn${done ? "" : " adm-btn-primary"}`, text: t("admin.overview.open"), "aria-label": `${t("admin.overview.open")}: ${t(`admin.${k}.title`)}`, onclick: () => env.go(k) }));
      }));
    });
  return () => { alive = false; };
}
