package faq

// aliases map the ways people write a platform or a term (pinyin, typos,
// English, old names) to one canonical word, applied to questions and
// phrasings alike before tokenising. Keys are normalised (Simplified,
// lower case). Longer keys win.
var aliases = map[string]string{
	// platforms
	"weilidai": "微粒贷", "wei li dai": "微粒贷", "微立贷": "微粒贷", "微粒袋": "微粒贷", "微利贷": "微粒贷", "维粒贷": "微粒贷",
	"webank": "微粒贷", "微众银行": "微粒贷", "微众": "微粒贷",
	"jiebei": "借呗", "jie bei": "借呗", "借被": "借呗", "借贝": "借呗", "蚂蚁借呗": "借呗",
	"huabei": "花呗", "hua bei": "花呗", "花被": "花呗", "花贝": "花呗", "蚂蚁花呗": "花呗",
	"alipay": "支付宝", "zhifubao": "支付宝",
	"wangshangdai": "网商贷", "wang shang dai": "网商贷", "mybank": "网商贷", "网商银行": "网商贷", "网上贷": "网商贷",
	"credit card": "信用卡", "creditcard": "信用卡", "信用咔": "信用卡",
	// credit record
	"credit report": "征信", "credit record": "征信", "credit history": "征信", "credit score": "征信", "credit file": "征信",
	"征性": "征信", "正信": "征信", "争信": "征信", "征心": "征信", "信用记录": "征信", "信用报告": "征信", "黑名单": "征信黑名单", "黑户": "征信黑名单",
	// collection
	"debt collector": "催收", "debt collectors": "催收", "collectors": "催收", "collector": "催收", "collection agency": "催收",
	"催手": "催收", "催数": "催收", "催债": "催收", "讨债": "催收",
	// courts
	"lawsuit": "起诉", "sued": "起诉", "sue me": "起诉", "sue": "起诉", "suing": "起诉", "告我": "起诉", "告上法庭": "起诉", "打官司": "起诉",
	"summons": "传票", "court summons": "传票", "传唤": "传票",
	"jail": "坐牢", "prison": "坐牢", "arrested": "坐牢", "criminal": "坐牢", "判刑": "坐牢", "蹲监狱": "坐牢", "进监狱": "坐牢",
	"lawyer's letter": "律师函", "lawyers letter": "律师函", "lawyer letter": "律师函", "律师信": "律师函",
	"penalty interest": "罚息", "late fee": "罚息", "late fees": "罚息", "overdue interest": "罚息",
	"arbitration": "仲裁", "statute of limitations": "诉讼时效", "limitation period": "诉讼时效",
	"frozen": "冻结", "freeze": "冻结", "garnish": "冻结",
	"legal aid": "法律援助", "bankruptcy": "破产",
	"关起来": "坐牢", "抓起来": "坐牢", "被抓": "坐牢", "拘留": "坐牢", "go to jail": "坐牢", "locked up": "坐牢",
	"走诉讼": "起诉", "走法律程序": "起诉", "法律程序": "起诉", "take legal action": "起诉", "legal action": "起诉", "file a lawsuit": "起诉",
	"time limit": "诉讼时效", "too old": "诉讼时效", "很多年": "诉讼时效", "好多年": "诉讼时效",
	"备用金": "应急资金", "应急钱": "应急资金", "budgeting": "预算", "budget": "预算",
	"微信好友": "通讯录", "好友": "通讯录", "contact list": "通讯录", "contacts": "通讯录",
	"wife": "配偶", "husband": "配偶", "spouse": "配偶", "老婆": "配偶", "老公": "配偶", "丈夫": "配偶", "妻子": "配偶",
	"prioritise": "先还哪个", "prioritize": "先还哪个", "priority": "先还哪个", "which first": "先还哪个",
	"paperwork": "材料", "documents": "材料", "bank statements": "流水", "bank statement": "流水",
	"relief": "减免", "waive": "减免", "waived": "减免",
	"rejected": "拒绝", "refused": "拒绝", "won't agree": "拒绝", "wont agree": "拒绝", "turned down": "拒绝", "谈不拢": "协商失败", "谈不下来": "协商失败",
	"erase": "删除", "wipe": "删除",
	"逾其": "逾期", "预期": "逾期", "余期": "逾期", "overdue": "逾期", "past due": "逾期", "late payment": "逾期",
	"grace period": "宽限期", "grace days": "宽限期",
	"installment": "分期", "instalment": "分期", "personalized": "个性化", "personalised": "个性化",
	"12期": "分期", "24期": "分期", "36期": "分期", "48期": "分期", "60期": "分期",
	"警察抓": "坐牢", "公安抓": "坐牢", "警察带走": "坐牢", "police arrest": "坐牢",
	"consolidate": "债务整合", "consolidation": "债务整合", "合并债务": "债务整合", "债务合并": "债务整合",
	"放的款": "放款", "借的款": "借款",
	"credit repair": "征信修复", "repair my credit": "征信修复", "repair credit": "征信修复", "fix my credit": "征信修复",
}
