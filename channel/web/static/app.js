// loanbot web chat. Everything the bot or the user wrote is put on the page
// as text nodes (never as HTML), so no message can run script.
"use strict";

(function () {
  // The page's own words, per language. The bot's words come from the server.
  const UI = {
    "zh-Hans": {
      title: "loanbot · 逾期了别慌",
      sub: "匿名 · 不用注册 · 不收费",
      log: "对话",
      inputLabel: "输入你的问题或回答",
      placeholder: "输入问题或回答",
      send: "发送",
      typing: "正在回复…",
      you: "你：",
      bot: "loanbot：",
      choices: "可选的回答",
      away: "你不在的时候收到的消息",
      notify: "开启提醒通知",
      notifyTitle: "loanbot 提醒",
      offline: "网络好像断了，这条消息还没有发出去。",
      retry: "重试",
      failed: "出了点问题，这条消息没有发出去。",
      rate: "发得有点快了，请等一分钟再发。",
      unavailable: "暂时连不上服务，请稍后刷新页面。",
      crowded: "你所在的网络刚刚开了很多新对话，请过一小时再来。",
      chart: "还款图",
      download: "下载",
      privacy: "对话只和这个浏览器关联。发送 /forget 可以删除全部数据。",
    },
    "zh-Hant": {
      title: "loanbot · 逾期了別慌",
      sub: "匿名 · 不用註冊 · 不收費",
      log: "對話",
      inputLabel: "輸入你的問題或回答",
      placeholder: "輸入問題或回答",
      send: "發送",
      typing: "正在回覆…",
      you: "你：",
      bot: "loanbot：",
      choices: "可選的回答",
      away: "你不在的時候收到的訊息",
      notify: "開啟提醒通知",
      notifyTitle: "loanbot 提醒",
      offline: "網路好像斷了，這條訊息還沒有發出去。",
      retry: "重試",
      failed: "出了點問題，這條訊息沒有發出去。",
      rate: "發得有點快了，請等一分鐘再發。",
      unavailable: "暫時連不上服務，請稍後重新整理頁面。",
      crowded: "你所在的網路剛剛開了很多新對話，請過一小時再來。",
      chart: "還款圖",
      download: "下載",
      privacy: "對話只和這個瀏覽器關聯。發送 /forget 可以刪除全部資料。",
    },
    en: {
      title: "loanbot · overdue? don't panic",
      sub: "Anonymous · no sign-up · free",
      log: "Conversation",
      inputLabel: "Type your question or answer",
      placeholder: "Type a question or answer",
      send: "Send",
      typing: "Replying…",
      you: "You:",
      bot: "loanbot:",
      choices: "Suggested answers",
      away: "While you were away",
      notify: "Turn on reminder notifications",
      notifyTitle: "loanbot reminder",
      offline: "The connection seems to be down; this message was not sent yet.",
      retry: "Retry",
      failed: "Something went wrong; this message was not sent.",
      rate: "That was a bit fast. Please wait a minute and send again.",
      unavailable: "Can't reach the service right now. Please reload the page in a little while.",
      crowded: "Many new chats were opened from your network just now. Please come back in an hour.",
      chart: "Repayment chart",
      download: "Download",
      privacy: "This chat is tied to this browser only. Send /forget to delete everything.",
    },
  };

  function fromHint(code) {
    const c = String(code || "").toLowerCase();
    if (c === "zh-hant" || /^zh-(tw|hk|mo|hant)/.test(c)) return "zh-Hant";
    if (c.startsWith("zh")) return "zh-Hans";
    if (c.startsWith("en")) return "en";
    return "";
  }

  let lang = fromHint((navigator.languages && navigator.languages[0]) || navigator.language) || "zh-Hans";
  const t = (k) => (UI[lang] && UI[lang][k]) || UI["zh-Hans"][k];

  function applyLang(l) {
    if (!UI[l]) return;
    lang = l;
    document.documentElement.lang = l;
    document.title = t("title");
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-t-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.tPlaceholder); });
    document.querySelectorAll("[data-t-label]").forEach((el) => {
      el.setAttribute("aria-label", t(el.dataset.tLabel));
      if (el.title) el.title = t(el.dataset.tLabel);
    });
    document.querySelectorAll(".chips").forEach((el) => el.setAttribute("aria-label", t("choices")));
  }

  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const typing = document.getElementById("typing");
  const bell = document.getElementById("bell");

  const shown = new Set(); // ids of messages on the page
  let inflight = 0; // requests on their way
  let owed = 0; // answers too slow for their request, to come through the stream
  let awayShown = false;

  // ---------- rendering ----------

  // Bot text is plain: paragraphs split by a blank line; lines starting
  // with "· " (or "• ", "- ") are a list, "1. " a numbered list.
  function renderText(parent, text) {
    const paras = String(text).replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/);
    for (const para of paras) {
      let list = null, listKind = "", p = null;
      for (const raw of para.split("\n")) {
        const line = raw.replace(/\s+$/, "");
        const bullet = /^\s*[·•\-\*]\s+(.*)$/.exec(line);
        const numbered = /^\s*(\d{1,3})[.、)]\s+(.*)$/.exec(line);
        if (bullet || numbered) {
          const kind = bullet ? "ul" : "ol";
          if (!list || listKind !== kind) {
            list = document.createElement(kind);
            listKind = kind;
            if (numbered && numbered[1] !== "1") list.start = Number(numbered[1]);
            parent.appendChild(list);
          }
          const li = document.createElement("li");
          li.textContent = bullet ? bullet[1] : numbered[2];
          list.appendChild(li);
          p = null;
          continue;
        }
        list = null;
        if (line === "") continue;
        if (!p) {
          p = document.createElement("p");
          parent.appendChild(p);
        } else {
          p.appendChild(document.createElement("br"));
        }
        p.appendChild(document.createTextNode(line));
      }
    }
  }

  function speaker(from) {
    const s = document.createElement("span");
    s.className = "sr-only";
    s.textContent = from === "user" ? t("you") : t("bot");
    return s;
  }

  function addDivider(text) {
    const d = document.createElement("div");
    d.className = "divider";
    d.setAttribute("role", "separator");
    d.textContent = text;
    log.appendChild(d);
  }

  function addNote(text, retry) {
    const n = document.createElement("p");
    n.className = "note";
    n.appendChild(document.createTextNode(text));
    if (retry) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t("retry");
      b.addEventListener("click", () => { n.remove(); retry(); });
      n.appendChild(b);
    }
    log.appendChild(n);
    scrollToEnd();
    return n;
  }

  // addMessage puts one message on the page; active says whether its
  // buttons may still be tapped.
  function addMessage(m, active) {
    if (m.id && shown.has(m.id)) return null;
    if (m.id) shown.add(m.id);
    const wrap = document.createElement("div");
    wrap.className = "msg " + (m.from === "user" ? "user" : "bot") + (m.push ? " push" : "");
    if (m.id) wrap.dataset.id = m.id;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.appendChild(speaker(m.from));
    if (m.from === "user") {
      bubble.appendChild(document.createTextNode(m.text || ""));
    } else {
      renderText(bubble, m.text || "");
      if (m.image && m.image.startsWith("/api/file/")) {
        const a = document.createElement("a");
        a.href = m.image;
        a.target = "_blank";
        a.rel = "noopener";
        const img = document.createElement("img");
        img.src = m.image;
        img.alt = m.alt || t("chart");
        // The chart arrives after its text: show it once it has a size.
        img.addEventListener("load", () => { if (wrap === log.lastElementChild) reveal(wrap); });
        a.appendChild(img);
        bubble.appendChild(a);
      }
      if (m.doc && m.doc.startsWith("/api/file/")) {
        const p = document.createElement("p");
        const a = document.createElement("a");
        a.href = m.doc;
        a.download = m.docName || "";
        a.textContent = t("download") + " " + (m.docName || "");
        p.appendChild(a);
        bubble.appendChild(p);
      }
    }
    wrap.appendChild(bubble);
    if (m.buttons && m.buttons.length) wrap.appendChild(chips(m.buttons, active));
    log.appendChild(wrap);
    return wrap;
  }

  function chips(rows, active) {
    const box = document.createElement("div");
    box.className = "chips";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", t("choices"));
    for (const row of rows) {
      const r = document.createElement("div");
      r.className = "chip-row";
      for (const b of row) {
        const c = document.createElement("button");
        c.type = "button";
        c.className = "chip";
        c.textContent = b.label;
        c.disabled = !active;
        c.addEventListener("click", () => {
          if (box.dataset.used) return; // a double tap sends once
          box.dataset.used = "1";
          c.classList.add("chosen");
          c.setAttribute("aria-pressed", "true");
          send({ payload: b.payload, label: b.label });
        });
        r.appendChild(c);
      }
      box.appendChild(r);
    }
    return box;
  }

  // Once the user says something, the buttons shown before it are spent:
  // an old question's answer must not land on a new question.
  function spendChips() {
    log.querySelectorAll(".chips").forEach((box) => {
      box.dataset.used = "1";
      box.querySelectorAll(".chip").forEach((c) => { c.disabled = true; });
    });
  }

  let nearEnd = true;
  log.addEventListener("scroll", () => {
    nearEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  });

  const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function scrollToEnd() {
    log.scrollTo({ top: log.scrollHeight, behavior: reduceMotion ? "auto" : "smooth" });
    nearEnd = true;
  }

  // A long answer (a plan) is read from its top: scroll so it starts at the
  // top of the view rather than to its end.
  // The question it answers stays in view with it when there is room.
  function reveal(first) {
    if (!first) return scrollToEnd();
    let top = first;
    const prev = first.previousElementSibling;
    if (prev && prev.classList.contains("user") && first.offsetTop - prev.offsetTop < log.clientHeight / 3) top = prev;
    if (log.scrollHeight - top.offsetTop > log.clientHeight) {
      log.scrollTo({ top: top.offsetTop - 12, behavior: reduceMotion ? "auto" : "smooth" });
      nearEnd = false;
    } else {
      scrollToEnd();
    }
  }

  function setTyping() {
    const waiting = inflight > 0 || owed > 0 || queue.length > 0;
    typing.hidden = !waiting;
    document.body.dataset.busy = waiting ? "1" : "0"; // for tests: the page owes nothing
  }

  function showBotMessages(ms) {
    let first = null;
    for (const m of ms) {
      if (m.away && !awayShown) {
        addDivider(t("away"));
        awayShown = true;
      }
      const el = addMessage(m, true);
      if (el && !first) first = el;
    }
    return first;
  }

  // ---------- talking to the server ----------

  function newID() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  const queue = []; // messages wait their turn: the bot answers in order
  let busy = false;

  function send(m) {
    m.id = m.id || newID();
    if (!m.silent) {
      spendChips();
      addMessage({ id: m.id, from: "user", text: m.payload ? m.label : m.text }, false);
      scrollToEnd();
    }
    queue.push(m);
    pump();
  }

  async function pump() {
    if (busy) return;
    const m = queue.shift();
    if (!m) return;
    busy = true;
    inflight++;
    setTyping();
    let outcome = "failed";
    try {
      outcome = await post(m);
    } finally {
      inflight--;
      setTyping();
      busy = false;
    }
    if (outcome === "offline" || outcome === "failed") {
      addNote(t(outcome), () => send(m));
    } else if (outcome === "rate" || outcome === "crowded") {
      addNote(t(outcome));
    } else {
      listen(); // the user has a conversation now: the stream is theirs
    }
    pump();
  }

  async function post(m) {
    const body = JSON.stringify({ id: m.id, text: m.text || "", payload: m.payload || "", label: m.label || "", silent: !!m.silent });
    for (let attempt = 0; attempt < 3; attempt++) {
      let res;
      try {
        res = await fetch("/api/message", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: body,
        });
      } catch (e) {
        // A lost connection: try again with the same id, so a message
        // that did arrive is not handled twice.
        await sleep(800 * (attempt + 1));
        continue;
      }
      if (res.status === 429) return "rate";
      if (res.status === 401) {
        // No identity (the cookie was cleared or has expired): the page
        // gives one; then the same message again.
        const why = await renewIdentity();
        if (why) return why;
        continue;
      }
      if (res.status >= 500) { await sleep(800 * (attempt + 1)); continue; }
      if (!res.ok && res.status !== 202) return "failed";
      const data = await res.json();
      if (data.lang) applyLang(data.lang);
      if (data.pending) {
        owed++;
        clearTimeout(owedTimer);
        owedTimer = setTimeout(() => { owed = 0; setTyping(); }, 90000);
        return "pending";
      }
      reveal(showBotMessages(data.messages || []));
      return "ok";
    }
    return navigator.onLine === false ? "offline" : "failed";
  }
  let owedTimer = 0;

  // renewIdentity loads the page again, which gives this browser its
  // identity cookie; "" when it did, else the outcome to show.
  async function renewIdentity() {
    try {
      const res = await fetch("/", { credentials: "same-origin", cache: "no-store" });
      if (res.status === 429) return "crowded";
      return res.ok ? "" : "failed";
    } catch (e) {
      return "offline";
    }
  }

  function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

  // Reminders and late answers come through the event stream.
  let es = null;
  let esFailures = 0;
  function listen() {
    if (!window.EventSource || es) return;
    es = new EventSource("/api/events");
    const mine = es;
    mine.addEventListener("open", () => { esFailures = 0; });
    mine.addEventListener("error", () => {
      // A refused stream (no conversation yet, the server full) is not
      // retried by the browser: try again later, slower each time.
      if (mine.readyState !== EventSource.CLOSED || es !== mine) return;
      es = null;
      esFailures++;
      setTimeout(listen, Math.min(60000, 3000 * esFailures));
    });
    es.addEventListener("message", (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (!m.push && owed > 0) { owed--; setTyping(); } // a late answer
      const el = showBotMessages([m]);
      if (el) {
        if (nearEnd || !m.push) reveal(el);
        if (m.push) notify(m);
      }
    });
  }

  // A page put away (another page opened, the tab frozen) lets go of its
  // stream, so reminders wait in the outbox for it instead.
  window.addEventListener("pagehide", () => {
    if (es) { es.close(); es = null; }
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) listen();
  });

  function notify(m) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    try {
      const n = new Notification(t("notifyTitle"), { body: String(m.text || "").split("\n")[0], tag: m.id, icon: "/assets/icon.svg" });
      n.onclick = () => { window.focus(); n.close(); };
    } catch (e) { /* some mobile browsers allow notifications only from a service worker */ }
  }

  function setupBell() {
    if (!("Notification" in window) || Notification.permission !== "default") return;
    bell.hidden = false;
    bell.addEventListener("click", async () => {
      try { await Notification.requestPermission(); } catch (e) { /* older API */ }
      if (Notification.permission !== "default") bell.hidden = true;
    });
  }

  // ---------- the composer ----------

  function autosize() {
    input.style.height = "";
    if (input.value) input.style.height = Math.min(input.scrollHeight + 3, 160) + "px";
  }
  input.addEventListener("input", autosize);
  input.addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME
    // composition (Chinese input) only confirms the characters.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    autosize();
    send({ text: text });
    input.focus();
  });

  // ---------- start ----------

  async function start() {
    setTyping();
    applyLang(lang);
    setupBell();
    let data = null;
    try {
      const res = await fetch("/api/history", { credentials: "same-origin" });
      if (res.ok) data = await res.json();
    } catch (e) { /* offline: start empty */ }
    if (!data) addNote(t("unavailable"));
    const ms = (data && data.messages) || [];
    if (data && data.lang) applyLang(data.lang);
    // Only the answers to the user's last message keep live buttons.
    let lastUser = -1;
    ms.forEach((m, i) => { if (m.from === "user") lastUser = i; });
    ms.forEach((m, i) => {
      if (m.away && !awayShown) {
        addDivider(t("away"));
        awayShown = true;
      }
      addMessage(m, i > lastUser);
    });
    log.scrollTop = log.scrollHeight;
    // The stream is for a conversation: opened now if there is one, else
    // after the first message.
    if (ms.length > 0) listen();
    if (ms.length === 0 && data) send({ text: "/start", silent: true });
    document.body.dataset.ready = "1";
  }

  start();
})();
