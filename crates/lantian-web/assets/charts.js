// The charts' hover values and zoom (issue 14 item 3). Each chart's hover layer has one cell per day or
// bar with its exact value (data-value) and its tooltip text (<title>); this script shows that text beside
// the pointer with a dot on the value, lets a drag across a daily chart zoom into the days dragged over
// (the zoom form's from/to, so the zoomed page has its own URL), and opens a city from its bar.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  document.querySelectorAll('figure.chart').forEach(function (fig) {
    const plot = fig.querySelector('svg.plot');
    const layer = plot && plot.querySelector('g.hover');
    if (!layer) return;
    const tip = document.createElement('div');
    tip.className = 'chart-tip';
    fig.appendChild(tip);
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('r', '4');
    dot.setAttribute('class', 'dot');
    const band = document.createElementNS(SVG, 'rect');
    band.setAttribute('class', 'sel');
    layer.appendChild(band);
    layer.appendChild(dot);
    let on = null;
    let start = null;
    function cellAt(ev) {
      const t = ev.target;
      return t && t.tagName === 'rect' && t.dataset && t.dataset.key ? t : null;
    }
    function show(cell, ev) {
      if (on) on.classList.remove('on');
      on = cell;
      cell.classList.add('on');
      const title = cell.querySelector('title');
      tip.textContent = title ? title.textContent : cell.dataset.value;
      tip.style.display = 'block';
      const box = fig.getBoundingClientRect();
      const x = ev.clientX - box.left + 12;
      tip.style.left = Math.min(x, box.width - tip.offsetWidth - 4) + 'px';
      tip.style.top = (ev.clientY - box.top + 14) + 'px';
      const x0 = Number(cell.getAttribute('x')), w = Number(cell.getAttribute('width'));
      dot.setAttribute('cx', String(x0 + w / 2));
      dot.setAttribute('cy', cell.dataset.y);
      dot.style.display = fig.dataset.link ? 'none' : 'inline';
    }
    function hide() {
      if (on) on.classList.remove('on');
      on = null;
      tip.style.display = 'none';
      dot.style.display = 'none';
    }
    layer.addEventListener('pointermove', function (ev) {
      const cell = cellAt(ev);
      if (!cell) return;
      show(cell, ev);
      if (start) {
        const a = Number(start.getAttribute('x')), b = Number(cell.getAttribute('x'));
        const lo = Math.min(a, b), hi = Math.max(a, b) + Number(cell.getAttribute('width'));
        band.setAttribute('x', String(lo));
        band.setAttribute('y', start.getAttribute('y'));
        band.setAttribute('width', String(hi - lo));
        band.setAttribute('height', start.getAttribute('height'));
        band.style.display = 'inline';
      }
    });
    layer.addEventListener('pointerleave', function () { hide(); start = null; band.style.display = 'none'; });
    const zoom = document.getElementById('zoom');
    layer.addEventListener('pointerdown', function (ev) {
      const cell = cellAt(ev);
      if (!cell) return;
      if (fig.dataset.link) {
        const en = new URLSearchParams(location.search).get('lang') === 'en';
        location.href = fig.dataset.link + encodeURIComponent(cell.dataset.key) + (en ? '?lang=en' : '');
        return;
      }
      if (zoom) { start = cell; ev.preventDefault(); }
    });
    layer.addEventListener('pointerup', function (ev) {
      const cell = cellAt(ev);
      const from = start;
      start = null;
      band.style.display = 'none';
      if (!from || !cell || from === cell || !zoom) return;
      const keys = [from.dataset.key, cell.dataset.key].sort();
      zoom.elements.from.value = keys[0];
      zoom.elements.to.value = keys[1];
      zoom.submit();
    });
  });
})();
