package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"loanbot/store"
	"loanbot/store/storetest"
)

const (
	key1 = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	key2 = "k2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
)

func TestDataAtRestIsEncryptedAndKeysRotate(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Client(t)
	s1, err := store.ParseDataKey(key1)
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(rdb).WithSealer(s1)
	u := storetest.User("seal")
	sess := &store.Session{Flow: "negotiate", Slots: map[string]string{"income": "800000", "lender_name": "张三贷"}}
	if err := st.Save(ctx, u, sess, "m1", time.Now()); err != nil {
		t.Fatal(err)
	}
	st.PutDoc(ctx, u, "plan", map[string]int64{"income": 800000})
	st.AppendLog(ctx, u, "calls", map[string]string{"agent": "王工号A1234"}, 10)
	st.PutReminder(ctx, u, "r1", []byte(`{"amount":210000}`), time.Time{})

	// What a stolen dump shows: no amount, no name.
	for _, k := range []string{store.KeyOf(store.KeySession, u), store.DocKeyForTest(u, "plan"), store.LogKeyForTest(u, "calls"), store.KeyOf(store.KeyReminders, u)} {
		dump, _ := rdb.Dump(ctx, k).Result()
		for _, secret := range []string{"800000", "张三贷", "王工号", "210000"} {
			if strings.Contains(dump, secret) {
				t.Errorf("%s holds %q in the clear", k, secret)
			}
		}
	}
	// Rotated: k2 writes, k1 still reads.
	s2, err := store.ParseDataKey(key2 + "," + key1)
	if err != nil {
		t.Fatal(err)
	}
	st2 := store.New(rdb).WithSealer(s2)
	got, _, err := st2.Load(ctx, u, "")
	if err != nil || got.Slots["lender_name"] != "张三贷" {
		t.Fatalf("read with the rotated key set: %+v %v", got, err)
	}
	var plan map[string]int64
	if found, err := st2.GetDoc(ctx, u, "plan", &plan); !found || err != nil || plan["income"] != 800000 {
		t.Errorf("plan: %v %v %v", found, err, plan)
	}
	logs, err := st2.Logs(ctx, u, "calls", 5)
	if err != nil || len(logs) != 1 || !strings.Contains(string(logs[0]), "王工号A1234") {
		t.Errorf("logs: %q %v", logs, err)
	}
	if b, err := st2.Reminder(ctx, u, "r1"); err != nil || string(b) != `{"amount":210000}` {
		t.Errorf("reminder: %s %v", b, err)
	}
	// Without the old key, the value does not open (and says why).
	s3, _ := store.ParseDataKey(key2)
	if _, _, err := store.New(rdb).WithSealer(s3).Load(ctx, u, ""); err == nil || !strings.Contains(err.Error(), "k1") {
		t.Errorf("missing key: %v", err)
	}
	// A sealed value copied under another user's key does not open.
	other := storetest.User("thief")
	data, _ := rdb.HGet(ctx, store.KeyOf(store.KeySession, u), "data").Result()
	rdb.HSet(ctx, store.KeyOf(store.KeySession, other), "rev", 1, "data", data)
	if _, _, err := st.Load(ctx, other, ""); err == nil {
		t.Error("a sealed session moved to another user opened")
	}
}

func TestParseDataKeyNamesTheProblem(t *testing.T) {
	for _, bad := range []string{"nokey", "k1:short", "k1:" + strings.Repeat("A", 43) + "=,k1:" + strings.Repeat("A", 43) + "="} {
		if _, err := store.ParseDataKey(bad); err == nil || !strings.Contains(err.Error(), "LOANBOT_DATA_KEY") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
