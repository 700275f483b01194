// One message of a chat as the page draws it (its text is HTML the server escaped).

import {actionButton, element, page, serviceText, t} from "./page.js";

export function renderMessage(message, on) {
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
        on.startWith(link.dataset.payload);
      });
    }
    item.append(body);
  }
  message.buttons.forEach((row, r) => {
    const line = document.createElement("div");
    line.className = "keys";
    row.forEach((key, k) => line.append(renderKey(message, key, `${message.id}.${r}.${k}`, on)));
    item.append(line);
  });
  const meta = document.createElement("div");
  meta.className = "meta";
  const when = document.createElement("time");
  when.textContent = new Date(message.date * 1000).toLocaleString(page.language, {
    month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit",
  }) + (message.edited ? " · " + t("edited") : "");
  const reply = actionButton(t("reply"), () => on.reply(message));
  reply.className = "reply";
  reply.dataset.key = `reply.${message.id}`;
  meta.append(when, reply);
  item.append(meta);
  return item;
}

function renderKey(message, key, dataKey, on) {
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
    if (key.kind === "deeplink") return on.startWith(key.payload);
    if (key.kind === "callback") return on.press(message, key);
  });
  button.className = "key";
  button.dataset.key = dataKey;
  button.disabled = key.kind === "inert";
  return button;
}
