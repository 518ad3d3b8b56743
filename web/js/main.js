// Entry point: restore the session (token in sessionStorage) or show the sign-in screen.
import "./strings.js";
import { request, getToken, setToken, onAuthLost } from "./api.js";
import { getLang } from "./i18n.js";
import { showLogin } from "./views/login.js";
import { startApp } from "./views/app.js";

const root = document.getElementById("root");
document.documentElement.lang = getLang();
let app = null;

function toLogin(notice) {
  if (app) { app.stop(); app = null; }
  setToken(null);
  showLogin(root, { notice, onLoggedIn: (me) => { app = startApp(root, me, handlers); } });
}

const handlers = { onLogout: () => toLogin(), onSessionEnded: () => toLogin("login.sessionEnded") };
onAuthLost(() => toLogin("login.sessionEnded"));

async function boot() {
  if (!getToken()) return toLogin();
  try {
    const me = await request("GET", "/api/v1/auth/me");
    app = startApp(root, me, handlers);
  } catch (e) {
    toLogin(e.code === "network" ? "error.network" : undefined);
  }
}

boot();
