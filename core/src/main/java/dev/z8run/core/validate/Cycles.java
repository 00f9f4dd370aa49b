package dev.z8run.core.validate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Finds the loops of a directed graph of {@code n} vertices numbered in document order: every
 * strongly connected component with more than one vertex, and every vertex wired to itself.
 *
 * <p>Uses Tarjan's algorithm without recursion, so a flow of any length cannot overflow the stack.
 */
final class Cycles {
  private Cycles() {}

  /**
   * One loop: {@code path} is a shortest cycle through the loop's first vertex in document order,
   * listed from that vertex round to the last one before returning to it; {@code others} are the
   * rest of the component's vertices, in document order, which take part in the same loop by other
   * routes.
   */
  record Loop(List<Integer> path, List<Integer> others) {}

  /**
   * @param successors for each vertex, the vertices its wires lead to (duplicates allowed)
   * @return the loops, ordered by their first vertex
   */
  static List<Loop> find(int[][] successors) {
    List<Loop> loops = new ArrayList<>();
    for (List<Integer> component : components(successors)) {
      int start = component.get(0);
      if (component.size() > 1 || leadsTo(successors[start], start)) {
        List<Integer> path = shortestCycle(successors, start, component);
        List<Integer> others = new ArrayList<>(component);
        others.removeAll(path);
        loops.add(new Loop(path, others));
      }
    }
    loops.sort((a, b) -> Integer.compare(a.path().get(0), b.path().get(0)));
    return loops;
  }

  /** Strongly connected components, each sorted ascending. */
  private static List<List<Integer>> components(int[][] successors) {
    int n = successors.length;
    int[] index = new int[n];
    int[] low = new int[n];
    boolean[] onStack = new boolean[n];
    Arrays.fill(index, -1);
    Deque<Integer> stack = new ArrayDeque<>();
    Deque<int[]> calls = new ArrayDeque<>(); // {vertex, next successor to visit}
    List<List<Integer>> components = new ArrayList<>();
    int counter = 0;
    for (int root = 0; root < n; root++) {
      if (index[root] != -1) {
        continue;
      }
      index[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = true;
      calls.push(new int[] {root, 0});
      while (!calls.isEmpty()) {
        int[] frame = calls.peek();
        int v = frame[0];
        if (frame[1] < successors[v].length) {
          int w = successors[v][frame[1]++];
          if (index[w] == -1) {
            index[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = true;
            calls.push(new int[] {w, 0});
          } else if (onStack[w]) {
            low[v] = Math.min(low[v], index[w]);
          }
          continue;
        }
        calls.pop();
        if (!calls.isEmpty()) {
          int parent = calls.peek()[0];
          low[parent] = Math.min(low[parent], low[v]);
        }
        if (low[v] == index[v]) {
          List<Integer> component = new ArrayList<>();
          int w;
          do {
            w = stack.pop();
            onStack[w] = false;
            component.add(w);
          } while (w != v);
          component.sort(null);
          components.add(component);
        }
      }
    }
    return components;
  }

  /** Breadth-first search from {@code start} inside its component back to {@code start}. */
  private static List<Integer> shortestCycle(
      int[][] successors, int start, List<Integer> component) {
    int n = successors.length;
    boolean[] inComponent = new boolean[n];
    for (int v : component) {
      inComponent[v] = true;
    }
    int[] parent = new int[n];
    Arrays.fill(parent, -1);
    Deque<Integer> queue = new ArrayDeque<>();
    queue.add(start);
    while (!queue.isEmpty()) {
      int v = queue.poll();
      for (int w : successors[v]) {
        if (w == start) {
          return pathTo(parent, start, v);
        }
        if (inComponent[w] && parent[w] == -1) {
          parent[w] = v;
          queue.add(w);
        }
      }
    }
    throw new IllegalStateException("no cycle through vertex " + start + " in its component");
  }

  private static List<Integer> pathTo(int[] parent, int start, int last) {
    List<Integer> path = new ArrayList<>();
    for (int v = last; v != start; v = parent[v]) {
      path.add(v);
    }
    path.add(start);
    return path.reversed();
  }

  private static boolean leadsTo(int[] successors, int target) {
    for (int w : successors) {
      if (w == target) {
        return true;
      }
    }
    return false;
  }
}
