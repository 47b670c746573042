"""The HTML report's inline stylesheet and script (nothing is loaded from the network)."""

from __future__ import annotations

# Light and dark themes from one set of variables: the system's choice, or the reader's (the theme button).
CSS = """
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--hit:#fff8c5;--link:#0969da;
--err:#cf222e;--warn:#9a6700;--info:#0969da;--ok:#1a7f37;--code:#eff1f3;color-scheme:light}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#3d444d;--soft:#151b23;--hit:#3b2e00;--link:#4493f8;--err:#f85149;--warn:#d29922;--info:#4493f8;--ok:#3fb950;
--code:#262c36;color-scheme:dark}}
:root[data-theme=dark]{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--soft:#151b23;--hit:#3b2e00;
--link:#4493f8;--err:#f85149;--warn:#d29922;--info:#4493f8;--ok:#3fb950;--code:#262c36;color-scheme:dark}
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1180px;padding:0 1.2em 3em;
background:var(--bg);color:var(--fg);overflow-wrap:anywhere}
a{color:var(--link)}h1{font-size:1.45em;margin:.8em 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em;
border-bottom:1px solid var(--line);padding-bottom:.2em}
code,pre,kbd{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:var(--code);border-radius:4px;padding:0 .25em}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.5em .7em;margin:.4em 0;
overflow-x:auto;max-width:100%;overflow-wrap:normal}
pre code{background:none;padding:0}
.status{font-size:1.05em;font-weight:600}.status.fail{color:var(--err)}.status.pass{color:var(--ok)}
.meta,.n{color:var(--muted)}.meta{font-size:.92em}
table.counts{border-collapse:collapse;margin:.5em 0;display:block;overflow-x:auto}
table.counts td,table.counts th{padding:2px 12px;text-align:right;border-bottom:1px solid var(--line)}
table.counts td:first-child,table.counts th:first-child{text-align:left}
.toolbar{position:sticky;top:0;z-index:2;background:var(--bg);display:flex;flex-wrap:wrap;gap:.4em .9em;
align-items:center;padding:.5em 0;border-bottom:1px solid var(--line)}
.toolbar input[type=search]{flex:1 1 14em;min-width:0;padding:.35em .6em;border:1px solid var(--line);
border-radius:6px;background:var(--soft);color:var(--fg);font:inherit}
.toolbar label{white-space:nowrap}button{font:inherit;color:var(--fg);background:var(--soft);
border:1px solid var(--line);border-radius:6px;padding:.15em .6em;cursor:pointer}
nav#toc ul{margin:.2em 0;padding-left:1.2em}nav#toc li{margin:.1em 0}
.layout{display:grid;grid-template-columns:minmax(0,16em) minmax(0,1fr);gap:1.5em}
.layout>nav{position:sticky;top:3.5em;align-self:start;max-height:calc(100vh - 4em);overflow:auto;font-size:.92em}
@media (max-width:900px){.layout{display:block}.layout>nav{position:static;max-height:none}.toolbar{position:static}}
main{min-width:0}
details>summary{cursor:pointer}
.finding{border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:6px;margin:.5em 0;
padding:.45em .8em;min-width:0}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}
.finding.info{border-left-color:var(--info)}.finding.baselined{opacity:.8}
.badge{font-weight:700;text-transform:uppercase;font-size:.78em;margin-right:.35em;letter-spacing:.02em}
.error>.head .badge,.error>summary .badge{color:var(--err)}.warning>.head .badge,.warning>summary .badge{color:var(--warn)}
.info>.head .badge,.info>summary .badge{color:var(--info)}
.count{display:inline-block;background:var(--soft);border:1px solid var(--line);border-radius:1em;padding:0 .5em;
font-size:.85em;margin-left:.3em}
.fix{border:1px solid var(--ok);border-radius:6px;margin:.5em 0;padding:.3em .6em}
.fix .fix-head{display:flex;justify-content:space-between;align-items:center;color:var(--ok);font-weight:600}
.fix p{margin:.2em 0}
ul.members{list-style:none;padding:0;margin:.3em 0}ul.members>li{border-top:1px solid var(--line);padding:.25em 0}
ul.members>li.finding{border-width:1px 0 0 0;border-radius:0;margin:0;padding:.3em .2em}
pre.snippet mark{background:var(--hit);color:inherit;display:block}pre.snippet i{font-style:normal;color:var(--muted);
user-select:none;display:inline-block;min-width:4.5em}
.group>summary{font-weight:600;padding:.2em 0}
.hidden{display:none!important}
.empty{color:var(--muted);font-style:italic}
"""

# Filters (severity, baselined, search) hide findings; a cause stays while any finding behind it matches,
# and a group or section with nothing left is hidden with it, so no empty heading remains.
JS = """
(function(){
var root=document.documentElement,q=document.getElementById('search'),base=document.getElementById('show-baselined');
var baseSec=document.getElementById('baselined');
var items=[].slice.call(document.querySelectorAll('.finding'));var texts=null,timer=null;
function sevs(){var s={};document.querySelectorAll('input[data-sev]').forEach(function(c){s[c.dataset.sev]=c.checked;});return s;}
function apply(){
  var show=sevs(),term=(q.value||'').trim().toLowerCase();
  if(term&&!texts){texts=items.map(function(e){
    var list=e.parentElement.classList.contains('members')?e.parentElement.previousElementSibling:null;
    return ((list?list.textContent+' ':'')+e.textContent).toLowerCase();});}
  // Baselined findings stay in a collapsed section (its summary shows the count); the toggle opens it.
  if(baseSec){
    if(base.checked&&!baseSec.open){baseSec.querySelectorAll('details.group').forEach(function(d){d.open=true;});}
    baseSec.open=base.checked;}
  var ok=new Map();
  items.forEach(function(e,i){ok.set(e,show[e.dataset.severity]&&(!term||texts[i].indexOf(term)>=0));});
  document.querySelectorAll('.finding.cause').forEach(function(c){
    var any=false;c.querySelectorAll('.finding').forEach(function(m){if(ok.get(m))any=true;});
    if(any&&term){c.open=true;var d=c.querySelector('details.behind');if(d)d.open=true;}
    if(!show[c.dataset.severity])any=false;
    if(any&&!ok.get(c)&&term)ok.set(c,true);
  });
  items.forEach(function(e){e.classList.toggle('hidden',!ok.get(e));});
  document.querySelectorAll('[data-holds]').forEach(function(g){
    var n=g.querySelectorAll(g.id==='causes'?'.finding.cause:not(.hidden)':'.finding:not(.hidden)').length;g.classList.toggle('hidden',n===0);
    var c=document.querySelector('[data-count-of="'+g.id+'"]');if(c)c.textContent=n;
  });
}
function later(){clearTimeout(timer);timer=setTimeout(apply,120);}
q.addEventListener('input',later);
document.querySelectorAll('input[data-sev]').forEach(function(c){c.addEventListener('change',apply);});
base.addEventListener('change',apply);
if(baseSec)baseSec.addEventListener('toggle',function(){if(base.checked!==baseSec.open){base.checked=baseSec.open;apply();}});
var theme=document.getElementById('theme');
try{var saved=localStorage.getItem('aimlapi-contract-theme');if(saved)root.dataset.theme=saved;}catch(e){}
theme.addEventListener('click',function(){
  var dark=root.dataset.theme?root.dataset.theme==='dark':matchMedia('(prefers-color-scheme: dark)').matches;
  root.dataset.theme=dark?'light':'dark';try{localStorage.setItem('aimlapi-contract-theme',root.dataset.theme);}catch(e){}
});
document.getElementById('expand').addEventListener('click',function(){
  var open=this.dataset.open!=='1';this.dataset.open=open?'1':'0';this.textContent=open?'Collapse all':'Expand all';
  document.querySelectorAll('main details:not(#baselined)').forEach(function(d){d.open=open;});
});
document.addEventListener('click',function(ev){
  var b=ev.target.closest('button.copy');if(!b)return;
  var text=b.closest('.fix').querySelector('[data-copy]').textContent;
  function done(){b.textContent='Copied';setTimeout(function(){b.textContent='Copy';},1500);}
  if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,function(){});}
  else{var t=document.createElement('textarea');t.value=text;document.body.appendChild(t);t.select();
    try{document.execCommand('copy');done();}catch(e){}t.remove();}
});
apply();
})();
"""
