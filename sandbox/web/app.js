// The sandbox's messenger page: one person per tab, live updates from /api/events.

import {autosize, renderReplyBar, replyTo, send, sendFile, toggleCommands} from "./composer.js";
import {renderMessage} from "./messages.js";
import {
  $, act, actionButton, api, browserLanguage, page, showToast, snippet, t,
  translatePage,
} from "./page.js";

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
  // one stream per tab, told about the person's chat list and the chat open in it
  if (page.events) page.events.close();
  page.eventsChat = page.chatId;
  const open = page.chatId === null ? "" : "&chat=" + page.chatId;
  page.events = new EventSource("api/events?user=" + page.me.id + open);
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
      if (page.eventsChat !== page.chatId) listen();
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
  const box = $("messages");
  const another = renderChat.seen !== chat.id;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const focusedKey = document.activeElement && document.activeElement.dataset.key;
  renderActions(chat);
  if (another) box.replaceChildren();  // message ids are per chat
  placeMessages(box, messages);
  if (focusedKey && !document.activeElement.isConnected) {
    const again = document.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
    if (again) again.focus();
  }
  if (atBottom || another) box.scrollTop = box.scrollHeight;
  renderChat.seen = chat.id;
  renderReplyBar();
}

function placeMessages(box, messages) {
  // Only new or changed messages are drawn again: focus, selection and what a screen reader
  // has read stay where they are.
  const drawn = new Map([...box.children].map((node) => [node.dataset.message, node]));
  const nodes = messages.map((message) => {
    const signature = JSON.stringify(message);
    const old = drawn.get(String(message.id));
    if (old && old.dataset.signature === signature) return old;
    const node = renderMessage(message, actions);
    node.dataset.signature = signature;
    return node;
  });
  const wanted = new Set(nodes);
  for (const child of [...box.children]) if (!wanted.has(child)) child.remove();
  nodes.forEach((node, at) => {
    if (box.children[at] !== node) box.insertBefore(node, box.children[at] || null);
  });
}

function renderActions(chat) {
  const box = $("chat-actions");
  const focused = box.contains(document.activeElement);
  box.replaceChildren(...chatActions(chat));
  // a toggle (Block -> Unblock) keeps the keyboard where it was
  if (focused && box.firstChild) box.firstChild.focus();
}

function chatActions(chat) {
  const me = page.me.id;
  if (chat.type === "private") {
    return [chat.bot_status === "kicked"  // blocked
      ? actionButton(t("unblock_bot"), () => act("unblock_bot", {user_id: me}))
      : actionButton(t("block_bot"), () => act("block_bot", {user_id: me}))];
  }
  const present = ["member", "administrator", "creator"].includes(chat.bot_status);
  const buttons = [present
    ? actionButton(t("remove_bot"), () => act("remove_bot", {chat_id: chat.id, by_user_id: me}))
    : actionButton(t("add_bot"), () => act("add_bot", {chat_id: chat.id, by_user_id: me}))];
  if (chat.type === "group") {
    buttons.push(actionButton(t("migrate"), async () => {
      const answer = await act("migrate_group", {chat_id: chat.id});
      if (answer.ok) {
        page.chatId = answer.result.new_chat_id;
        showToast(t("migrated"));
        await refresh();
      }
    }));
  }
  return buttons;
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

const actions = {press, startWith, reply: replyTo};

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
    send().then(refresh);
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send().then(refresh);
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
    await refresh();
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
