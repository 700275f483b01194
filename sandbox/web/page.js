// The page's shared pieces: its state, its words, the server, small DOM helpers.

export const $ = (id) => document.getElementById(id);
export const page = {
  catalog: {},
  language: "en",
  people: [],
  me: null,
  chats: [],
  chatId: null,
  chat: null,
  replyTo: null,
  events: null,
  eventsChat: null,
  refreshing: false,
  again: false,
};

// ------------------------------------------------------------------ words

export function t(key, vars) {
  const words = page.catalog[page.language] || {};
  let text = words[key] !== undefined ? words[key] : (page.catalog.en || {})[key] || key;
  for (const [name, value] of Object.entries(vars || {})) {
    text = text.split("{" + name + "}").join(String(value));
  }
  return text;
}

export function translatePage() {
  document.documentElement.lang = page.language;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  $("text").placeholder = t("message_placeholder");
  document.title = t("brand");
}

export function browserLanguage() {
  const code = (navigator.language || "en").toLowerCase();
  if (/^zh-(hant|tw|hk|mo)/.test(code)) return "zh-Hant";
  return code.startsWith("zh") ? "zh-Hans" : "en";
}

// ------------------------------------------------------------------ the server

export async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  let answer;
  try {
    const response = await fetch(path, options);
    answer = await response.json();
  } catch (error) {
    answer = {ok: false, error: t("error_offline")};
  }
  if (!answer.ok) showToast(t("error_prefix", {error: answer.error}), true);
  return answer;
}

export const act = (name, body) => api("api/do/" + name, body);

export function showToast(text, alert) {
  const toast = $("toast");
  toast.textContent = text;
  toast.classList.toggle("alert", Boolean(alert));
  toast.classList.remove("hidden");
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => toast.classList.add("hidden"), alert ? 6000 : 3500);
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function actionButton(label, handler) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", handler);
  return button;
}

export function snippet(message) {
  if (message.service) return serviceText(message.service);
  const holder = document.createElement("div");
  holder.innerHTML = message.html;
  const text = holder.textContent || (message.photo ? "📷 " + t("photo")
    : message.document ? "📎 " + message.document.name : message.sticker || "");
  return text.length > 60 ? text.slice(0, 60) + "…" : text;
}

export function serviceText(service) {
  return t("service_" + service.kind, {actor: service.actor, subject: service.subject});
}
