// Turns a server error (HTTP ApiError or socket W9 error) into words for the agent. Branches on
// `code` (and a conflict's `reason`), never on the English `message` (W11 #11).
import { t } from "../i18n.js";

export function errorText(e) {
  const d = e.details || e; // ApiError keeps the body in .details; socket errors are flat
  switch (e.code) {
    case "conflict":
      if (d.reason === "assignee_changed" && d.assignee) return t("conflict.heldBy", { name: d.assignee.name });
      if (d.reason === "not_open") return t("conflict.notOpen");
      if (d.reason === "capacity_reached") return t("conflict.capacity");
      return t("conflict.changed");
    case "forbidden": return t("error.forbidden");
    case "not_found": return t("thread.notFound");
    case "offline": case "network": return t("error.offline");
    case "invalid_reference": return t("error.invalidReference");
    case "too_many_runs": return t("error.tooManyRuns");
    case "selection_too_large": return t("error.selectionTooLarge");
    case "rate_limited": return t("login.rateLimited");
    default: return t("error.generic", { message: e.message || e.code });
  }
}
