/**
 * GET /inbox/widget.js (DESIGN §7.7): a dependency-free bell with the unread count and the list,
 * in a shadow root so the host page's styles neither leak in nor out. A site adds
 *
 *   <script src="https://switchboard.example/inbox/widget.js" data-token="…" data-target="#bell"></script>
 *
 * or calls `SwitchboardInbox.mount(element, { token })` (returns `{ close() }`). It reads
 * /inbox/messages, marks a message read when it is opened, archives, reads all, and follows
 * /inbox/stream (server-sent events) for new messages and counts. Bodies are shown as HTML: the
 * sender keeps only an allow-list of tags when it stores them. Kept as a string so it ships inside
 * the compiled gateway; it is plain ES2017 and is exercised in Chromium by inbox-widget.e2e.ts.
 */
export const INBOX_WIDGET_JS = String.raw`(function () {
  'use strict';
  var current = document.currentScript;
  var ORIGIN = current && current.src ? new URL(current.src).origin : location.origin;
  var STYLE = [
    ':host{all:initial;font:14px/1.4 system-ui,sans-serif;color:#1f2328;position:relative;display:inline-block}',
    'button{font:inherit;cursor:pointer}',
    '.bell{position:relative;border:1px solid #d0d7de;background:#fff;border-radius:20px;padding:6px 10px}',
    '.badge{position:absolute;top:-6px;right:-6px;min-width:18px;height:18px;border-radius:9px;background:#cf222e;color:#fff;font-size:11px;line-height:18px;text-align:center;padding:0 4px}',
    '.badge[hidden]{display:none}',
    '.panel{position:absolute;right:0;top:40px;width:340px;max-height:420px;overflow:auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.12);z-index:2147483000}',
    '.panel[hidden]{display:none}',
    '.head{display:flex;justify-content:space-between;align-items:center;padding:8px 12px;border-bottom:1px solid #eee;font-weight:600}',
    '.head button{border:0;background:none;color:#0969da;font-size:12px}',
    '.item{display:flex;gap:8px;padding:10px 12px;border-bottom:1px solid #f0f0f0}',
    '.item.unread{background:#f1f8ff}',
    '.item img{width:32px;height:32px;border-radius:4px;flex:none}',
    '.main{flex:1;min-width:0;cursor:pointer}',
    '.title{font-weight:600}',
    '.item.unread .title::before{content:"";display:inline-block;width:8px;height:8px;border-radius:4px;background:#0969da;margin-right:6px}',
    '.body{color:#57606a;font-size:13px;overflow-wrap:anywhere}',
    '.time{color:#8c959f;font-size:11px}',
    '.archive{border:0;background:none;color:#8c959f;align-self:flex-start}',
    '.empty{padding:16px 12px;color:#57606a}'
  ].join('');

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function mount(target, options) {
    if (typeof target === 'string') target = document.querySelector(target);
    if (!target) throw new Error('SwitchboardInbox: no element to mount on');
    var token = options && options.token;
    if (!token) throw new Error('SwitchboardInbox: a token is required');
    var base = (options.baseUrl || ORIGIN).replace(/\/+$/, '');
    var pageSize = options.pageSize || 20;
    var host = el('span');
    host.setAttribute('data-switchboard-inbox', '');
    target.appendChild(host);
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    var style = el('style');
    style.textContent = STYLE;
    var bell = el('button', 'bell');
    bell.type = 'button';
    bell.setAttribute('aria-label', 'Notifications');
    bell.appendChild(document.createTextNode('\uD83D\uDD14'));
    var badge = el('span', 'badge', '0');
    badge.hidden = true;
    bell.appendChild(badge);
    var panel = el('div', 'panel');
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    var head = el('div', 'head');
    head.appendChild(el('span', '', 'Notifications'));
    var readAll = el('button', 'read-all', 'Mark all as read');
    readAll.type = 'button';
    head.appendChild(readAll);
    var list = el('div', 'list');
    panel.appendChild(head);
    panel.appendChild(list);
    root.appendChild(style);
    root.appendChild(bell);
    root.appendChild(panel);

    var messages = [];
    var closed = false;

    function api(method, path) {
      return fetch(base + path, { method: method, headers: { authorization: 'Bearer ' + token } }).then(function (res) {
        if (!res.ok) throw new Error('inbox ' + path + ': HTTP ' + res.status);
        return res.json();
      });
    }

    function setCount(n) {
      badge.textContent = n > 99 ? '99+' : String(n);
      badge.hidden = n === 0;
      host.setAttribute('data-unread', String(n));
    }

    function render() {
      list.textContent = '';
      if (messages.length === 0) {
        list.appendChild(el('div', 'empty', 'No notifications'));
        return;
      }
      messages.forEach(function (m) {
        var item = el('div', 'item' + (m.readAt ? '' : ' unread'));
        item.setAttribute('data-id', String(m.id));
        if (m.icon) {
          var img = el('img');
          img.src = m.icon;
          img.alt = '';
          item.appendChild(img);
        }
        var main = el('div', 'main');
        main.appendChild(el('div', 'title', m.title));
        if (m.body) {
          var body = el('div', 'body');
          body.innerHTML = m.body;
          main.appendChild(body);
        }
        main.appendChild(el('div', 'time', new Date(m.createdAt).toLocaleString()));
        main.addEventListener('click', function (event) {
          var link = event.target && event.target.closest ? event.target.closest('a') : null;
          open(m, !link);
        });
        var archive = el('button', 'archive', '\u00D7');
        archive.type = 'button';
        archive.title = 'Remove';
        archive.addEventListener('click', function () {
          api('POST', '/inbox/messages/' + m.id + '/archive').then(function (r) {
            messages = messages.filter(function (x) { return x.id !== m.id; });
            setCount(r.unread);
            render();
          });
        });
        item.appendChild(main);
        item.appendChild(archive);
        list.appendChild(item);
      });
    }

    function open(m, follow) {
      var done = m.readAt ? Promise.resolve(null) : api('POST', '/inbox/messages/' + m.id + '/read');
      done.then(function (r) {
        if (r) {
          m.readAt = r.message.readAt;
          setCount(r.unread);
          render();
        }
      });
      if (follow && m.url) window.open(m.url, '_blank', 'noopener');
    }

    function load() {
      return api('GET', '/inbox/messages?limit=' + pageSize).then(function (page) {
        messages = page.messages;
        render();
      });
    }

    bell.addEventListener('click', function () {
      panel.hidden = !panel.hidden;
      if (!panel.hidden) load();
    });
    readAll.addEventListener('click', function () {
      api('POST', '/inbox/read-all').then(function (r) {
        var now = new Date().toISOString();
        messages.forEach(function (m) { if (!m.readAt) m.readAt = now; });
        setCount(r.unread);
        render();
      });
    });

    var source = null;
    if (window.EventSource) {
      source = new EventSource(base + '/inbox/stream?token=' + encodeURIComponent(token));
      source.addEventListener('count', function (e) { setCount(JSON.parse(e.data).unread); });
      source.addEventListener('message', function (e) {
        var m = JSON.parse(e.data);
        if (messages.some(function (x) { return x.id === m.id; })) return;
        messages.unshift(m);
        if (messages.length > pageSize) messages.pop();
        render();
      });
    } else {
      api('GET', '/inbox/unread-count').then(function (r) { setCount(r.unread); });
    }
    load();

    return {
      close: function () {
        if (closed) return;
        closed = true;
        if (source) source.close();
        host.remove();
      },
      refresh: load
    };
  }

  window.SwitchboardInbox = { mount: mount };
  if (current && current.getAttribute('data-token')) {
    var where = current.getAttribute('data-target');
    var start = function () { mount(where || document.body, { token: current.getAttribute('data-token') }); };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
    else start();
  }
})();
`;
