import{u as R}from"./uplot-BMlUyt4t.js";/* empty css                  */import{g as m,e as n,f as l,d as W,c as j}from"./api-Dknq0QwA.js";import{b as _,a as $,l as O}from"./baa-BddtcYVN.js";let r;const Y=o=>Date.parse(o+"T00:00:00Z")/1e3,z={async render(o,b){var T;const i=b[0]||"florida_keys",w=await m("/api/reefs/status"),c=w.find(e=>e.site===i);if(!c){o.innerHTML=`<h1>Reef site ${n(i)}</h1><p role="alert">No reef site ${n(i)} is stored.</p><p>Stored sites: ${w.map(e=>`<a href="#/reef/${encodeURIComponent(e.site)}">${n(e.name)}</a>`).join(", ")||"none"}.</p>`;return}const f=Number((((T=c.latest)==null?void 0:T.date)??new Date().toISOString()).slice(0,4)),h=await m(`/api/reefs/${encodeURIComponent(i)}/heatstress?startDate=1980-01-01&endDate=1980-01-02`),H=1985,g=[];for(let e=f;e>=H;e--)g.push(e);const S=Number(b[1])||f,t=c.latest;o.innerHTML=`<h1>${n(c.name)} <small>virtual station</small></h1>
<div class="reef-top">
  <section class="card status" aria-labelledby="st-h" data-date="${n((t==null?void 0:t.date)??"")}" data-baa="${(t==null?void 0:t.baa_7day_max)??""}" data-dhw="${(t==null?void 0:t.dhw)??""}">
    <h2 id="st-h">Current status <small>${n((t==null?void 0:t.date)??"no data")}</small></h2>
    <p class="level"><span class="swatch big" style="background:${_(t==null?void 0:t.baa_7day_max)}"></span><strong>${$(t==null?void 0:t.baa_7day_max)}</strong> for ${c.days_at_level} day${c.days_at_level===1?"":"s"}</p>
    <dl class="grid4">
      <dt>SST</dt><dd>${l(t==null?void 0:t.sst_90th_hs)} °C</dd>
      <dt>SST anomaly</dt><dd>${l(t==null?void 0:t.ssta_90th_hs)} °C</dd>
      <dt>HotSpot</dt><dd>${l(t==null?void 0:t.hotspot)} °C</dd>
      <dt>DHW</dt><dd>${l(t==null?void 0:t.dhw)} °C-weeks</dd>
      <dt>MMM</dt><dd>${l(h.mmm)} °C</dd>
      <dt>Threshold (MMM+1)</dt><dd>${h.mmm===null?"–":l(h.mmm+1)} °C</dd>
    </dl>
  </section>
  <section class="card" aria-labelledby="day-h">
    <h2 id="day-h">A given day</h2>
    <label>Date <input type="date" id="day-input" value="${n((t==null?void 0:t.date)??"")}"></label>
    <div id="day-out" aria-live="polite"></div>
  </section>
</div>
<div class="controls">
  <label>Year <select id="year">${g.map(e=>`<option ${e===S?"selected":""}>${e}</option>`).join("")}</select></label>
  <button id="csv" type="button">Download CSV</button>
  <a id="api-url" href="#">API URL</a>
</div>
<div id="strip" class="strip" role="img" aria-label="Daily Bleaching Alert Area level"></div>
<div id="chart" class="chart"></div>
${O()}
<p class="note">SST is the 90th-percentile HotSpot pixel's SST; dots mark the monthly mean climatology (mid-month); dashed: MMM; solid red: bleaching threshold (MMM + 1 °C); DHW on the right axis.</p>`;const v=new Map,q=o.querySelector("#day-out"),M=o.querySelector("#day-input"),x=async()=>{const e=M.value;if(!e)return;let d=v.get(e);if(!d){const s=new Date(Date.parse(e+"T00:00:00Z")+864e5).toISOString().slice(0,10);d=(await m(`/api/reefs/${encodeURIComponent(i)}/heatstress?startDate=${e}&endDate=${s}`)).data[0]}q.innerHTML=d?`<dl class="grid4" data-date="${n(d.date)}" data-baa="${d.baa_7day_max??""}" data-dhw="${d.dhw??""}"><dt>BAA</dt><dd><span class="swatch" style="background:${_(d.baa_7day_max)}"></span>${$(d.baa_7day_max)}</dd><dt>DHW</dt><dd>${l(d.dhw,4)} °C-weeks</dd><dt>SST</dt><dd>${l(d.sst_90th_hs)} °C</dd><dt>HotSpot</dt><dd>${l(d.hotspot)} °C</dd></dl>`:`<p>No record stored for ${n(e)}.</p>`};M.addEventListener("change",()=>void x());const C=async e=>{const d=`/api/reefs/${encodeURIComponent(i)}/heatstress?startDate=${e}-01-01&endDate=${e+1}-01-01`;o.querySelector("#api-url").href=d;const s=await m(d);for(const a of s.data)v.set(a.date,a);o.querySelector("#csv").onclick=()=>W(`${i}_${e}.csv`,j([["date","sst_min","sst_max","sst_90th_hs","ssta_90th_hs","hotspot","dhw","baa_7day_max"],...s.data.map(a=>[a.date,a.sst_min,a.sst_max,a.sst_90th_hs,a.ssta_90th_hs,a.hotspot,a.dhw,a.baa_7day_max])]));const p=o.querySelector("#strip");p.setAttribute("data-days",String(s.data.length)),p.innerHTML=s.data.map(a=>`<span style="background:${_(a.baa_7day_max)}" title="${a.date}: ${$(a.baa_7day_max)}"></span>`).join("");const A=s.data.map(a=>Y(a.date)),u=s.mmm??h.mmm,I=s.data.map(a=>{const y=new Date(a.date+"T00:00:00Z");return y.getUTCDate()===15&&s.monthly_means?s.monthly_means[y.getUTCMonth()]:null}),U=[A,s.data.map(a=>a.sst_90th_hs),I,s.data.map(()=>u),s.data.map(()=>u===null?null:u+1),s.data.map(a=>a.dhw)];r==null||r.destroy();const k=o.querySelector("#chart");r=new R({width:Math.max(300,k.clientWidth||800),height:320,title:`${s.name} ${e}`,scales:{x:{time:!0},sst:{auto:!0},dhw:{range:(a,y,N)=>[0,Math.max(8,Math.ceil((N??0)+1))]}},axes:[{},{scale:"sst",label:"SST (°C)"},{scale:"dhw",side:1,label:"DHW (°C-weeks)",grid:{show:!1}}],series:[{},{label:"SST",scale:"sst",stroke:"#1f5f8b",width:1.5},{label:"Monthly climatology",scale:"sst",stroke:"#333",width:0,points:{show:!0,size:9,fill:"#333",stroke:"#333"},paths:()=>null},{label:"MMM",scale:"sst",stroke:"#555",dash:[6,4],width:1},{label:"Threshold (MMM+1)",scale:"sst",stroke:"#c53030",width:1.5},{label:"DHW",scale:"dhw",stroke:"#6b46c1",width:2,fill:"rgba(107,70,193,0.08)"}]},U,k)},D=o.querySelector("#year");D.addEventListener("change",()=>void C(Number(D.value))),await C(S),await x()},dispose(){r==null||r.destroy(),r=void 0}};export{z as page};
