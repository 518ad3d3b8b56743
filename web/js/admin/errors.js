// Turns a rejected ctx.request() error into words for people, and finds the request field it
// is about. The server's {error:{code,message,field}} is the source of truth: we translate the
// stable `code` and keep the server's `message` beside it (it names the exact rule broken).

/** The request field an error names ("name", "actions[1].text"), or "" when none. */
export function errorField(err) {
  if (!err) return "";
  return err.field || err.details?.field || err.body?.error?.field || err.error?.field || "";
}

/** "Already in use (name is already taken)": the translated code plus the server's message. */
export function errorText(err, t) {
  const code = (err && err.code) || "internal";
  const key = `admin.err.${code}`;
  let label = t(key);
  if (label === key) label = t("admin.err.generic", { status: err?.status ?? "?" });
  const msg = err && typeof err.message === "string" ? err.message.trim() : "";
  return msg && msg !== label && msg !== code ? `${label} (${msg})` : label;
}
