package dev.z8run.nodes.function;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mozilla.javascript.Context;

/** Which bodies can keep their {@code msg} past the call, read from their syntax. */
class MessageEscapeTest {
  private Context cx;

  @BeforeEach
  void enter() {
    cx = Sandbox.FACTORY.enterContext(Sandbox.FACTORY.newContext(1_000_000_000L, 64L << 20));
  }

  @AfterEach
  void exit() {
    Context.exit();
  }

  private boolean stays(String body) {
    return MessageEscape.staysInCall(cx, body);
  }

  @Test
  void shouldLetBodiesThatOnlyReadWriteAndReturnMsgStay() {
    for (String body :
        new String[] {
          "return msg;",
          "msg.payload = 5;\nreturn msg;",
          "msg.topic = \"x\";\nreturn msg;",
          "msg.hop = (msg.hop || 0) + 1; delete msg.old; return msg;",
          "if (msg.payload > 5) { return [msg, null]; } return [null, msg];",
          "return msg.payload === 1 ? msg : null;",
          "msg['a'] = msg.b.c; msg.list.push(1); return (msg);",
          "if ('topic' in msg && typeof msg !== 'undefined' && msg != null) return msg;",
          "var n = msg.payload.n; msg = {payload: n}; return msg;",
          "var x = {msg: 1}; x.msg = 2; msg.x = x.msg; return msg;",
          "msg.payload.forEach(function (v) { total += v; }); return msg;",
          "return null;",
          "return msg || fallback;",
        }) {
      assertTrue(stays(body), body);
    }
  }

  @Test
  void shouldCountEveryOtherUseOfMsgAsKeepingIt() {
    for (String body :
        new String[] {
          "kept = msg; return null;",
          "var m = msg; return m;",
          "context.set('k', msg); return msg;",
          "node.send(msg); return null;",
          "node.warn(msg); return msg;",
          "return JSON.parse(JSON.stringify(msg));",
          "setTimeout(function () { node.send(msg); }, 10); return null;",
          "var f = () => msg; return f();",
          "return {...msg};",
          "return [msg].concat(others);",
          "msg.self = msg; return msg;",
          "msg.payload = [msg]; return msg;",
          "throw msg;",
          "return arguments[0];",
          "return eval('msg');",
          "return msg.toString();",
          "msg.f(); return msg;",
          "for (var k in msg) { x = k; } return msg;",
          "return x || msg ? msg : y;",
          "var o = {msg}; return o.msg;",
          "this is not javascript (",
        }) {
      assertFalse(stays(body), body);
    }
  }
}
