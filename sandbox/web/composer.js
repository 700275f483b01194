// The composer: text (Enter sends, Shift+Enter a new line), replies, files, the command menu.
// Its senders only send; the caller refreshes the page after them.

import {$, act, actionButton, page, showToast, snippet, t} from "./page.js";

export function replyTo(message) {
  page.replyTo = message;
  renderReplyBar();
  $("text").focus();
}

export function renderReplyBar() {
  const bar = $("reply-bar");
  if (!page.replyTo) {
    bar.classList.add("hidden");
    return;
  }
  $("reply-text").textContent = t("replying_to", {text: snippet(page.replyTo)});
  bar.classList.remove("hidden");
}

export async function send() {
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
}

export async function sendFile(file) {
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
}

export function autosize() {
  const box = $("text");
  box.style.height = "auto";
  box.style.height = Math.min(box.scrollHeight, 160) + "px";
}

export function toggleCommands(open) {
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
