// The sandbox's messenger page: one person per tab, live updates from /api/events.
"use strict";

const $ = (id) => document.getElementById(id);
const page = {
  catalog: {},
  language: "en",
  people: [],
  me: null,
  chats: [],
  chatId: null,
  chat: null,
  replyTo: null,
  events: null,
  refreshing: false,
  again: false,
};

// ------------------------------------------------------------------ words

function t(key, vars) {
  const words = page.catalog[page.language] || {};
  let text = words[key] !== undefined ? words[key] : (page.catalog.en || {})[key] || key;
  for (const [name, value] of Object.entries(vars || {})) {
    text = text.split("{" + name + "}").join(String(value));
  }
  return text;
}

function translatePage() {
  document.documentElement.lang = page.language;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  $("text").placeholder = t("message_placeholder");
  document.title = t("brand");
}

function browserLanguage() {
  const code = (navigator.language || "en").toLowerCase();
  if (/^zh-(hant|tw|hk|mo)/.test(code)) return "zh-Hant";
  return code.startsWith("zh") ? "zh-Hans" : "en";
}

// ------------------------------------------------------------------ the server

async function api(path, body) {
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

const act = (name, body) => api("api/do/" + name, body);

function showToast(text, alert) {
  const toast = $("toast");
  toast.textContent = text;
  toast.classList.toggle("alert", Boolean(alert));
  toast.classList.remove("hidden");
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => toast.classList.add("hidden"), alert ? 6000 : 3500);
}

// ------------------------------------------------------------------ who am I

async function loadPeople() {
  const answer = await api("api/people");
  if (!answer.ok) return;
  page.people = answer.result.people;
  const who = $("who");
  who.replaceChildren(new Option(t("nobody"), ""));
  const list = $("chooser-list");
  list.replaceChildren();
  for (const person of page.people) {
    const label = person.name + (person.username ? " @" + person.username : "");
    who.append(new Option(label, String(person.id)));
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.person = String(person.id);
    button.addEventListener("click", () => becomePerson(person.id));
    item.append(button);
    list.append(item);
  }
  who.value = page.me ? String(page.me.id) : "";
}

async function becomePerson(id) {
  const person = page.people.find((p) => p.id === id);
  if (!person) return;
  page.me = person;
  page.language = person.language;
  page.chatId = null;
  page.chat = null;
  page.replyTo = null;
  sessionStorage.setItem("person", String(id));
  const url = new URL(location.href);
  url.searchParams.set("as", String(id));
  history.replaceState(null, "", url);
  translatePage();
  await loadPeople();
  $("chooser").classList.add("hidden");
  $("main").classList.remove("hidden");
  listen();
  await refresh();
  const first = document.querySelector("#chat-list button");
  if (first) first.focus();
}

function listen() {
  if (page.events) page.events.close();
  page.events = new EventSource("api/events?user=" + page.me.id);
  page.events.addEventListener("change", () => refresh());
}

// ------------------------------------------------------------------ refreshing

async function refresh() {
  if (!page.me) return;
  if (page.refreshing) {
    page.again = true;
    return;
  }
  page.refreshing = true;
  try {
    do {
      page.again = false;
      if (page.chatId !== null) await loadChat();  // first: it marks the chat read
      const answer = await api("api/state?user=" + page.me.id);
      if (answer.ok) renderState(answer.result);
    } while (page.again);
  } finally {
    page.refreshing = false;
  }
}

function renderState(state) {
  page.me = Object.assign({}, page.me, state.me);
  page.chats = state.chats;
  if (state.clock) {
    const now = new Date(state.clock.now);
    $("clock-now").dateTime = state.clock.now;
    $("clock-now").textContent = now.toLocaleString(page.language, {
      month: "short", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit",
    });
  }
  const focused = document.activeElement && document.activeElement.dataset.chat;
  const list = $("chat-list");
  list.replaceChildren();
  for (const chat of page.chats) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chat-item" + (chat.id === page.chatId ? " current" : "");
    button.dataset.chat = String(chat.id);
    if (chat.id === page.chatId) button.setAttribute("aria-current", "true");
    const title = document.createElement("span");
    title.className = "chat-name";
    title.textContent = chat.title;
    const last = document.createElement("span");
    last.className = "chat-last";
    last.textContent = chat.last ? snippet(chat.last) : "";
    button.append(title, last);
    if (chat.unread > 0) {
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = String(chat.unread);
      badge.setAttribute("aria-label", t("unread", {count: chat.unread}));
      button.append(badge);
    }
    button.addEventListener("click", () => openChat(chat.id));
    item.append(button);
    list.append(item);
  }
  if (focused) {
    const again = list.querySelector(`[data-chat="${focused}"]`);
    if (again) again.focus();
  }
  if (page.chatId !== null && !page.chats.some((c) => c.id === page.chatId)) {
    closeChat();  // migrated away, or the person left
  }
}

function snippet(message) {
  if (message.service) return serviceText(message.service);
  const holder = document.createElement("div");
  holder.innerHTML = message.html;
  const text = holder.textContent || (message.photo ? "📷 " + t("photo")
    : message.document ? "📎 " + message.document.name : message.sticker || "");
  return text.length > 60 ? text.slice(0, 60) + "…" : text;
}

function serviceText(service) {
  return t("service_" + service.kind, {actor: service.actor, subject: service.subject});
}

// ------------------------------------------------------------------ a chat

async function openChat(id) {
  page.chatId = id;
  page.replyTo = null;
  $("app").classList.add("chat-open");
  await refresh();
  $("text").focus();
}

function closeChat() {
  page.chatId = null;
  page.chat = null;
  $("app").classList.remove("chat-open");
  $("chat-title").textContent = "";
  $("chat-actions").replaceChildren();
  $("messages").replaceChildren();
  $("composer").classList.add("hidden");
  $("no-chat").classList.remove("hidden");
}

async function loadChat() {
  const id = page.chatId;
  const answer = await fetch(`api/chat?user=${page.me.id}&chat=${id}`).then((r) => r.json())
    .catch(() => ({ok: false}));
  if (!answer.ok || page.chatId !== id) return;
  if (answer.result.moved_to) {  // upgraded to a supergroup: follow it
    page.chatId = answer.result.moved_to;
    page.again = true;
    return;
  }
  if (answer.result.gone) {
    closeChat();
    return;
  }
  page.chat = answer.result;
  renderChat();
}

function renderChat() {
  const {chat, messages} = page.chat;
  $("no-chat").classList.add("hidden");
  $("composer").classList.remove("hidden");
  $("chat-title").textContent = chat.title;
  renderActions(chat);
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const focusedKey = document.activeElement && document.activeElement.dataset.key;
  box.replaceChildren(...messages.map(renderMessage));
  if (focusedKey) {
    const again = box.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
    if (again) again.focus();
  }
  if (atBottom || !renderChat.seen || renderChat.seen !== chat.id) box.scrollTop = box.scrollHeight;
  renderChat.seen = chat.id;
  renderReplyBar();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function actionButton(label, handler) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", handler);
  return button;
}

function renderActions(chat) {
  const actions = $("chat-actions");
  actions.replaceChildren();
  const me = page.me.id;
  if (chat.type === "private") {
    actions.append(chat.bot_status === "kicked"  // blocked
      ? actionButton(t("unblock_bot"), () => act("unblock_bot", {user_id: me}))
      : actionButton(t("block_bot"), () => act("block_bot", {user_id: me})));
    return;
  }
  const present = ["member", "administrator", "creator"].includes(chat.bot_status);
  actions.append(present
    ? actionButton(t("remove_bot"), () => act("remove_bot", {chat_id: chat.id, by_user_id: me}))
    : actionButton(t("add_bot"), () => act("add_bot", {chat_id: chat.id, by_user_id: me})));
  if (chat.type === "group") {
    actions.append(actionButton(t("migrate"), async () => {
      const answer = await act("migrate_group", {chat_id: chat.id});
      if (answer.ok) {
        page.chatId = answer.result.new_chat_id;
        showToast(t("migrated"));
        await refresh();
      }
    }));
  }
}

function renderMessage(message) {
  const item = document.createElement("li");
  item.id = "m" + message.id;
  item.dataset.message = String(message.id);
  if (message.service) {
    item.className = "service";
    item.textContent = serviceText(message.service);
    return item;
  }
  item.className = "msg" + (message.mine ? " mine" : "") + (message.is_bot ? " bot" : "");
  if (!message.mine) item.append(element("div", "from", message.from));
  if (message.reply_to) {
    const quote = element("a", "quote", message.reply_to.from + ": " + message.reply_to.snippet);
    quote.href = "#m" + message.reply_to.id;
    item.append(quote);
  }
  if (message.photo) {
    const image = element("img", "photo");
    image.src = message.photo.url;
    if (message.photo.width && message.photo.height) {
      image.width = message.photo.width;  // keeps its place before it loads: scrolling stays put
      image.height = message.photo.height;
    }
    image.alt = t("photo");
    item.append(image);
  }
  if (message.document) {
    const link = element("a", "document", "📎 " + message.document.name);
    link.href = message.document.url + "?download=1";
    link.download = message.document.name;
    item.append(link);
  }
  if (message.sticker) item.append(element("div", "sticker", message.sticker));
  if (message.html) {
    const body = element("div", "body");
    body.innerHTML = message.html;  // escaped by the server (sandbox/webview.py)
    for (const link of body.querySelectorAll("a.deeplink")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        startWith(link.dataset.payload);
      });
    }
    item.append(body);
  }
  message.buttons.forEach((row, r) => {
    const line = document.createElement("div");
    line.className = "keys";
    row.forEach((key, k) => line.append(renderKey(message, key, `${message.id}.${r}.${k}`)));
    item.append(line);
  });
  const meta = document.createElement("div");
  meta.className = "meta";
  const when = document.createElement("time");
  when.textContent = new Date(message.date * 1000).toLocaleString(page.language, {
    month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit",
  }) + (message.edited ? " · " + t("edited") : "");
  const reply = actionButton(t("reply"), () => {
    page.replyTo = message;
    renderReplyBar();
    $("text").focus();
  });
  reply.className = "reply";
  reply.dataset.key = `reply.${message.id}`;
  meta.append(when, reply);
  item.append(meta);
  return item;
}

function renderKey(message, key, dataKey) {
  if (key.kind === "link") {
    const link = document.createElement("a");
    link.className = "key";
    link.href = key.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = key.text + " ↗";
    link.dataset.key = dataKey;
    return link;
  }
  const button = actionButton(key.text, async () => {
    if (key.kind === "deeplink") return startWith(key.payload);
    if (key.kind === "callback") return press(message, key);
  });
  button.className = "key";
  button.dataset.key = dataKey;
  button.disabled = key.kind === "inert";
  return button;
}

async function press(message, key) {
  const pressed = await act("press_button", {
    user_id: page.me.id, chat_id: page.chatId, message_id: message.id, callback_data: key.data,
  });
  if (!pressed.ok) return;
  const answer = await act("wait_for_callback_answer", {
    callback_query_id: pressed.result.callback_query_id, timeout: 10,
  });
  if (answer.ok && answer.result && answer.result.text) {
    showToast(answer.result.text, answer.result.show_alert);
  }
}

async function startWith(payload) {
  // a t.me deep link opens the private chat with the bot and sends /start PAYLOAD
  const me = page.me.id;
  page.chatId = me;
  $("app").classList.add("chat-open");
  await act("send_text", {user_id: me, text: "/start " + payload});
  await refresh();
  $("text").focus();
}

function renderReplyBar() {
  const bar = $("reply-bar");
  if (!page.replyTo) {
    bar.classList.add("hidden");
    return;
  }
  $("reply-text").textContent = t("replying_to", {text: snippet(page.replyTo)});
  bar.classList.remove("hidden");
}

// ------------------------------------------------------------------ the composer

async function send() {
  const text = $("text").value;
  if (!text.trim() || page.chatId === null) return;
  const body = {user_id: page.me.id, text};
  if (page.chatId !== page.me.id) body.chat_id = page.chatId;
  if (page.replyTo) body.reply_to_message_id = page.replyTo.id;
  const answer = await act("send_text", body);
  if (answer.ok) {
    $("text").value = "";
    page.replyTo = null;
    renderReplyBar();
    autosize();
  }
  await refresh();
}

async function sendFile(file) {
  if (!file || page.chatId === null) return;
  if (file.size > 10 * 1024 * 1024) {
    showToast(t("file_too_big"), true);
    return;
  }
  const data = await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.readAsDataURL(file);
  });
  if (!data) {
    showToast(t("file_empty"), true);
    return;
  }
  const body = {user_id: page.me.id, data_base64: data};
  if (page.chatId !== page.me.id) body.chat_id = page.chatId;
  const caption = $("text").value.trim();
  if (caption) body.caption = caption;
  const answer = await act(file.type.startsWith("image/") ? "send_photo" : "send_document", body);
  if (answer.ok) $("text").value = "";
  await refresh();
}

function autosize() {
  const box = $("text");
  box.style.height = "auto";
  box.style.height = Math.min(box.scrollHeight, 160) + "px";
}

function toggleCommands(open) {
  const menu = $("command-menu");
  const commands = (page.chat && page.chat.commands) || [];
  const show = open && commands.length > 0;
  $("commands-button").setAttribute("aria-expanded", String(show));
  menu.classList.toggle("hidden", !show);
  menu.replaceChildren();
  if (!open) return;
  if (!commands.length) {
    showToast(t("no_commands"));
    return;
  }
  for (const command of commands) {
    const item = document.createElement("li");
    const button = actionButton("/" + command.command + " — " + command.description, () => {
      $("text").value = "/" + command.command + " ";
      toggleCommands(false);
      $("text").focus();
    });
    button.setAttribute("role", "option");
    button.dataset.command = command.command;
    item.append(button);
    menu.append(item);
  }
  menu.querySelector("button").focus();
}

// ------------------------------------------------------------------ adding people and groups

function openPersonDialog() {
  $("person-form").reset();
  $("person-language").value = page.me ? languageCode(page.language) : "en";
  $("person-dialog").showModal();
}

function languageCode(language) {
  return {"zh-Hans": "zh-hans", "zh-Hant": "zh-hant"}[language] || "en";
}

async function addPerson() {
  const name = $("person-name").value.trim();
  if (!name) return;
  const body = {first_name: name, language_code: $("person-language").value};
  const username = $("person-username").value.trim();
  if (username) body.username = username;
  const answer = await act("create_user", body);
  if (!answer.ok) return;
  await loadPeople();
  showToast(t("person_added", {name}));
  if (!page.me) await becomePerson(answer.result.id);
}

function openGroupDialog() {
  if (!page.me) {
    showToast(t("choose_first"), true);
    return;
  }
  $("group-form").reset();
  const boxes = $("group-members");
  boxes.replaceChildren();
  for (const person of page.people.filter((p) => p.id !== page.me.id)) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = String(person.id);
    label.append(box, " " + person.name);
    boxes.append(label);
  }
  $("group-dialog").showModal();
}

async function addGroup() {
  const title = $("group-title").value.trim();
  if (!title || !page.me) return;
  const members = [...$("group-members").querySelectorAll("input:checked")]
    .map((box) => Number(box.value));
  const answer = await act("create_group", {
    title, kind: $("group-kind").value, members: [page.me.id, ...members], creator: page.me.id,
  });
  if (!answer.ok) return;
  showToast(t("group_added", {title}));
  await openChat(answer.result.id);
}

// ------------------------------------------------------------------ wiring

async function moveClock() {
  const amount = Number($("clock-amount").value);
  if (!Number.isFinite(amount) || amount <= 0) {
    showToast(t("clock_positive"), true);
    return;
  }
  const answer = await act("advanceClock", {[$("clock-unit").value]: amount});
  if (answer.ok) showToast(t("clock_moved"));
  await refresh();
}

function wire() {
  $("who").addEventListener("change", (event) => {
    const id = Number(event.target.value);
    if (id) becomePerson(id);
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  $("text").addEventListener("input", autosize);
  $("commands-button").addEventListener("click", () =>
    toggleCommands($("command-menu").classList.contains("hidden")));
  $("command-menu").addEventListener("keydown", (event) => {
    const buttons = [...$("command-menu").querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "Escape") {
      toggleCommands(false);
      $("commands-button").focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (at + (event.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next].focus();
    }
  });
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    $("file").value = "";
    await sendFile(file);
  });
  $("reply-cancel").addEventListener("click", () => {
    page.replyTo = null;
    renderReplyBar();
    $("text").focus();
  });
  $("back").addEventListener("click", () => {
    closeChat();
    refresh();
  });
  $("clock-go").addEventListener("click", moveClock);
  $("add-person").addEventListener("click", openPersonDialog);
  $("add-group").addEventListener("click", openGroupDialog);
  $("person-dialog").addEventListener("close", () => {
    if ($("person-dialog").returnValue === "ok") addPerson();
  });
  $("group-dialog").addEventListener("close", () => {
    if ($("group-dialog").returnValue === "ok") addGroup();
  });
}

async function main() {
  page.catalog = await fetch("static/i18n.json").then((r) => r.json());
  page.language = browserLanguage();
  translatePage();
  wire();
  await loadPeople();
  const wanted = Number(new URLSearchParams(location.search).get("as")
    || sessionStorage.getItem("person") || 0);
  if (wanted && page.people.some((p) => p.id === wanted)) {
    await becomePerson(wanted);
  } else {
    const first = document.querySelector("#chooser-list button");
    if (first) first.focus();
  }
}

main();
