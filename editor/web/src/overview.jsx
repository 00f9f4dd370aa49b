// The simplified drawing when zoomed out: below OVERVIEW_ZOOM the nodes are hidden from React Flow
// (which would otherwise run every mounted node's and wire's store selectors on each pan frame)
// and drawn instead as boxes and straight wires on one canvas, redrawn once per viewport change.
// Labels are unreadable at that scale anyway; zoom in to edit.

import { useStore } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { categoryColor } from './nodes.js';

export const OVERVIEW_ZOOM = 0.4;

const transformOf = (s) => s.transform;

export function Overview({ nodes, edges, catalog }) {
  const canvas = useRef(null);
  const [tx, ty, zoom] = useStore(transformOf);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const parent = c.parentElement.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(parent.width * dpr) || c.height !== Math.round(parent.height * dpr)) {
      c.width = Math.round(parent.width * dpr);
      c.height = Math.round(parent.height * dpr);
      c.style.width = parent.width + 'px';
      c.style.height = parent.height + 'px';
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, parent.width, parent.height);
    g.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
    const byId = new Map();
    for (const n of nodes) byId.set(n.id, n);
    g.beginPath();
    for (const e of edges) {
      const a = byId.get(e.source);
      const b = byId.get(e.target);
      if (!a || !b) continue;
      g.moveTo(a.position.x + (a.width || 100) / 2, a.position.y);
      g.lineTo(b.position.x - (b.width || 100) / 2, b.position.y);
    }
    g.strokeStyle = '#999';
    g.lineWidth = 1 / zoom;
    g.stroke();
    let color = null;
    for (const n of nodes) {
      const spec = catalog.get(n.data.type);
      const fill = n.selected ? '#ff7f0e' : categoryColor(spec && spec.category);
      if (fill !== color) {
        g.fillStyle = fill;
        color = fill;
      }
      const w = n.width || 100;
      const h = n.height || 30;
      g.fillRect(n.position.x - w / 2, n.position.y - h / 2, w, h);
    }
    c.dataset.drawn = String(nodes.length);
  }, [nodes, edges, catalog, tx, ty, zoom]);
  return <canvas ref={canvas} className="overview" data-testid="overview" />;
}
