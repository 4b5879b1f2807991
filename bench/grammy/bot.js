// The grammY bot that cmd/loadtg measures loanbot against (-bot grammy).
//
// It does what loanbot does on the path the load tool drives, the way a
// grammY bot would: a webhook on Node's own http server, per-chat order
// (sequentialize), sessions in Redis (@grammyjs/storage-redis on ioredis),
// the first five steps of /prep with their buttons and their checks, and each
// reply sent by sendMessage to the API root the harness gives (grammY's
// keep-alive agent). It has no FAQ and no crisis check: it is the framework's
// cost, not a second loanbot.
//
// The harness starts it as `node bot.js` with LOADTG_API, LOADTG_REDIS and
// LOADTG_SECRET set; it prints "ADDR host:port" when it listens on
// 127.0.0.1 and ends when its stdin closes.
"use strict";

const http = require("http");
const { Bot, InlineKeyboard, session, webhookCallback } = require("grammy");
const { sequentialize } = require("@grammyjs/runner");
const { RedisAdapter } = require("@grammyjs/storage-redis");
const { Redis } = require("ioredis");

const api = process.env.LOADTG_API;
const secret = process.env.LOADTG_SECRET;
const redisURL = process.env.LOADTG_REDIS || "redis://127.0.0.1:6379/0";
if (!api || !secret) {
  console.error("grammy bot: LOADTG_API and LOADTG_SECRET are needed");
  process.exit(2);
}

const bot = new Bot("1:LOAD", {
  client: { apiRoot: api },
  botInfo: {
    id: 1, is_bot: true, first_name: "load", username: "load_bot",
    can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false,
    can_connect_to_business: false, has_main_web_app: false,
  },
});

const redis = new Redis(redisURL);
const lenders = ["微粒贷", "借呗", "花呗", "网商贷", "美团", "信用卡"];
const texts = {
  lender: "我们一步步来，先准备好再打电话，谈起来会更有底气。第1步，是哪个平台的欠款？",
  owed: "现在一共欠多少？（本金加利息和费用，在App的账单页能看到）",
  overdue: "已经逾期多久了？还没逾期但快还不上了，就点“还没逾期”。",
  income: "你现在每月税后收入大约多少？没有收入就写0或点“目前没有收入”。",
  expenses: "每月必要的生活开支大约多少？（房租、吃饭、交通、养家）",
  number: "请写一个数字，例如 35000。",
  start: "发 /prep，我们一步步准备和平台协商。",
};

// A number as a person writes it: digits, maybe with commas or 元.
function amount(s) {
  const t = s.replace(/[,，元\s]/g, "");
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  return Number(t);
}

bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
bot.use(session({
  initial: () => ({ step: 0 }),
  storage: new RedisAdapter({ instance: redis, ttl: 30 * 24 * 3600 }),
  getSessionKey: (ctx) => (ctx.chat ? "grammy:" + ctx.chat.id : undefined),
}));

bot.command("prep", async (ctx) => {
  ctx.session = { step: 1 };
  const kb = new InlineKeyboard();
  lenders.forEach((l, i) => { kb.text(l, "lender:" + l); if (i % 3 === 2) kb.row(); });
  await ctx.reply(texts.lender, { reply_markup: kb });
});

bot.on("message:text", async (ctx) => {
  const s = ctx.session;
  const text = ctx.message.text.trim();
  switch (s.step) {
    case 1:
      s.lender = text.slice(0, 40);
      s.step = 2;
      return ctx.reply(texts.owed);
    case 2: {
      const n = amount(text);
      if (n === null || n <= 0) return ctx.reply(texts.number);
      s.owed = n;
      s.step = 3;
      return ctx.reply(texts.overdue, { reply_markup: new InlineKeyboard().text("还没逾期", "overdue:0") });
    }
    case 3: {
      const n = amount(text);
      if (n === null) return ctx.reply(texts.number);
      s.overdueDays = n;
      s.step = 4;
      return ctx.reply(texts.income, { reply_markup: new InlineKeyboard().text("目前没有收入", "income:0") });
    }
    case 4: {
      const n = amount(text);
      if (n === null) return ctx.reply(texts.number);
      s.income = n;
      s.step = 5;
      return ctx.reply(texts.expenses);
    }
    default:
      return ctx.reply(texts.start);
  }
});

bot.catch((err) => console.error("grammy bot:", err.error));

const hook = webhookCallback(bot, "http", { secretToken: secret });
const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/tg") return hook(req, res);
  res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  const a = server.address();
  process.stdout.write(`ADDR ${a.address}:${a.port}\n`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  redis.quit().finally(() => process.exit(0));
}
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
