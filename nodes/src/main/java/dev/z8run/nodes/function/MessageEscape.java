package dev.z8run.nodes.function;

import org.mozilla.javascript.CompilerEnvirons;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Parser;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Token;
import org.mozilla.javascript.ast.ArrayLiteral;
import org.mozilla.javascript.ast.Assignment;
import org.mozilla.javascript.ast.AstNode;
import org.mozilla.javascript.ast.AstRoot;
import org.mozilla.javascript.ast.ConditionalExpression;
import org.mozilla.javascript.ast.ElementGet;
import org.mozilla.javascript.ast.FunctionCall;
import org.mozilla.javascript.ast.FunctionNode;
import org.mozilla.javascript.ast.InfixExpression;
import org.mozilla.javascript.ast.Name;
import org.mozilla.javascript.ast.ObjectProperty;
import org.mozilla.javascript.ast.ParenthesizedExpression;
import org.mozilla.javascript.ast.PropertyGet;
import org.mozilla.javascript.ast.ReturnStatement;
import org.mozilla.javascript.ast.UnaryExpression;
import org.mozilla.javascript.ast.VariableInitializer;

/**
 * Whether a function body can keep its {@code msg} past the call, read from its syntax tree before
 * it runs. When it cannot, the node reuses one {@link MessageView} (and one argument array) for
 * every message and lets go of the input's bytes at the end of a call without copying them: the hop
 * allocates nothing ({@link FunctionNode}).
 *
 * <p>Conservative: the body <em>keeps</em> {@code msg} unless every use of the name {@code msg} in
 * it is one of
 *
 * <ul>
 *   <li>the object of a property read, write or delete that is not a method call ({@code
 *       msg.payload}, {@code msg.topic = 'x'}, {@code delete msg.hop}, {@code msg['a']}), whose
 *       values are copies of their own (the view's bytes are not in them);
 *   <li>the value returned, directly or inside array literals, parentheses, {@code ?:} or {@code
 *       &&}/{@code ||} ({@code return msg}, {@code return [msg, null]}): the node sends it before
 *       the call ends;
 *   <li>the target of a plain assignment or {@code var} ({@code msg = {payload: 1}}), the right of
 *       {@code in}, an operand of a comparison, of {@code typeof}, {@code !} or {@code void};
 * </ul>
 *
 * <p>and {@code msg} is not named inside a nested function (a closure, a callback), and neither
 * {@code arguments} nor {@code eval} is named anywhere. Anything else (an argument to any call,
 * {@code node.send(msg)} included; {@code kept = msg}; {@code {...msg}}) counts as keeping it, and
 * the node then makes a view per message and copies its bytes out at the end of the call, as
 * before. What the syntax cannot see is checked as the call runs: a timer or a {@code
 * node.linkcall} set during the call keeps the view, and so does a message parsed whole.
 */
final class MessageEscape {
  private static final String MSG = "msg";

  private MessageEscape() {}

  /**
   * Whether {@code body}, the body of a function of {@code msg}, never keeps {@code msg} past the
   * call; false also when it does not parse (compiling it reports why).
   */
  static boolean staysInCall(Context cx, String body) {
    AstRoot root;
    try {
      CompilerEnvirons env = new CompilerEnvirons();
      env.initFromContext(cx);
      env.setRecordingComments(false);
      env.setIdeMode(false);
      root = new Parser(env).parse("(function (msg) {\n" + body + "\n})", "escape", 0);
    } catch (RhinoException | IllegalStateException unparsed) {
      return false;
    }
    FunctionNode[] top = new FunctionNode[1];
    boolean[] kept = new boolean[1];
    root.visit(
        node -> {
          if (kept[0]) {
            return false;
          }
          if (node instanceof FunctionNode function && top[0] == null) {
            top[0] = function;
            return true;
          }
          if (node instanceof Name name) {
            String id = name.getIdentifier();
            if ("arguments".equals(id) || "eval".equals(id)) {
              kept[0] = true;
            } else if (MSG.equals(id)
                && name.getParent() != top[0] // the parameter itself
                && !propertyName(name)
                && (insideNested(name, top[0]) || !staysAt(name))) {
              kept[0] = true;
            }
          }
          return true;
        });
    return top[0] != null && !kept[0];
  }

  /** A name that is a property's name, not a variable: {@code x.msg}, {@code {msg: 1}}. */
  private static boolean propertyName(Name name) {
    AstNode parent = name.getParent();
    if (parent instanceof PropertyGet get) {
      return get.getProperty() == name;
    }
    return parent instanceof ObjectProperty property
        && property.getKey() == name
        && property.getValue() != name;
  }

  private static boolean insideNested(AstNode node, FunctionNode top) {
    for (AstNode at = node.getParent(); at != null; at = at.getParent()) {
      if (at instanceof FunctionNode function) {
        return function != top;
      }
    }
    return true;
  }

  /** Whether this use of the variable {@code msg} leaves no reference to it behind. */
  private static boolean staysAt(Name name) {
    AstNode parent = name.getParent();
    if (parent instanceof PropertyGet get && get.getTarget() == name) {
      return !calledAsMethod(get);
    }
    if (parent instanceof ElementGet get && get.getTarget() == name) {
      return !calledAsMethod(get);
    }
    if (parent instanceof Assignment assignment) {
      return assignment.getLeft() == name && assignment.getOperator() == Token.ASSIGN;
    }
    if (parent instanceof VariableInitializer initializer) {
      return initializer.getTarget() == name;
    }
    if (parent instanceof UnaryExpression unary) {
      int type = unary.getOperator();
      return type == Token.TYPEOF || type == Token.NOT || type == Token.VOID;
    }
    if (parent instanceof InfixExpression infix && !(parent instanceof Assignment)) {
      switch (infix.getOperator()) {
        case Token.IN:
          return infix.getRight() == name;
        case Token.EQ, Token.NE, Token.SHEQ, Token.SHNE:
          return true;
        default:
          break;
      }
    }
    return returned(name);
  }

  private static boolean calledAsMethod(AstNode get) {
    return get.getParent() instanceof FunctionCall call && call.getTarget() == get;
  }

  /** Whether {@code node}'s value is what the top function returns, and nothing else keeps it. */
  private static boolean returned(AstNode node) {
    AstNode at = node;
    while (true) {
      AstNode parent = at.getParent();
      if (parent instanceof ReturnStatement statement) {
        return statement.getReturnValue() == at;
      }
      if (parent instanceof ParenthesizedExpression || parent instanceof ArrayLiteral) {
        at = parent;
      } else if (parent instanceof ConditionalExpression conditional
          && conditional.getTestExpression() != at) {
        at = parent;
      } else if (parent instanceof InfixExpression infix
          && (infix.getOperator() == Token.AND || infix.getOperator() == Token.OR)) {
        at = parent;
      } else {
        return false;
      }
    }
  }
}
