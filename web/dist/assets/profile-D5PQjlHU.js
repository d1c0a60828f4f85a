import{g,a,e as o,d as S,c as D}from"./api-Dknq0QwA.js";import{s as N,q as x}from"./svgplot-im1pL-6y.js";const p=s=>(s??[]).map(n=>n===null?NaN:n);function C(s,n,c,l){const e=p(a(c,"pressure")),u=p(a(c,s)),$=a(c,`${s}_argoqc`)??[],r=[];return l&&c.data_mode!=="R"&&r.push({label:"raw",x:p(a(l,s)),y:p(a(l,"pressure")),color:"#b8c2cc",radius:2}),r.push({label:"best",x:u,y:e,color:$.map(d=>x(d)),line:!0,pointData:d=>`data-qc="${$[d]??""}"`}),N(r,{title:`${s[0].toUpperCase()}${s.slice(1)} (${n})`,xLabel:n,yLabel:"pressure (dbar)",invertY:!0})}const I={async render(s,n){var _;const c=n[0]||"6902746_034",l=`/api/profiles/${encodeURIComponent(c)}`,e=await g(l),u=await g(`${l}?values=raw`).catch(()=>null),r=(await g(`/api/argo?platform=${encodeURIComponent(e.platform_number)}&compression=minimal`)).map(t=>t[0]),d=r.indexOf(e._id),b=d>0?r[d-1]:null,h=d>=0&&d<r.length-1?r[d+1]:null,i=a(e,"pressure")??[],y=p(a(e,"temperature")),f=p(a(e,"salinity")),[w,v]=((_=e.geolocation)==null?void 0:_.coordinates)??[null,null];s.innerHTML=`<h1>Argo profile ${o(e._id)}</h1>
<nav class="cycle-nav" aria-label="Cycles">${b?`<a href="#/profile/${b}" rel="prev">← ${b}</a>`:"<span>first cycle</span>"} <a href="#/float/${encodeURIComponent(e.platform_number)}">float ${o(e.platform_number)}</a> ${h?`<a href="#/profile/${h}" rel="next">${h} →</a>`:"<span>last cycle</span>"}</nav>
<div class="profile-page" data-levels="${i.length}">
  <div class="plots">
    ${a(e,"temperature")?C("temperature","°C",e,u):""}
    ${a(e,"salinity")?C("salinity","psu",e,u):""}
    ${a(e,"salinity")&&a(e,"temperature")?N([{label:"T–S",x:f,y,color:i.map(t=>`hsl(${220-Math.min(1,(t??0)/2e3)*220} 70% 40%)`)}],{title:"T–S diagram (colour: pressure)",xLabel:"salinity (psu)",yLabel:"temperature (°C)"}):""}
  </div>
  <section class="card meta" aria-labelledby="meta-h">
    <h2 id="meta-h">Metadata</h2>
    <dl>
      <dt>WMO</dt><dd>${o(e.platform_number)}</dd><dt>Cycle</dt><dd>${e.cycle_number} (${e.profile_direction==="D"?"descending":"ascending"})</dd>
      <dt>DAC</dt><dd>${o(e.data_centre||"–")}</dd><dt>Data mode</dt><dd>${o(e.data_mode)}</dd>
      <dt>Position</dt><dd>${v===null?"–":`${v.toFixed(3)}°, ${w.toFixed(3)}°`} (QC ${e.geolocation_argoqc??"–"})</dd>
      <dt>Time</dt><dd>${o(e.timestamp??"–")} (QC ${e.timestamp_argoqc??"–"})</dd>
      <dt>Levels</dt><dd>${i.length}</dd><dt>Source</dt><dd>${o(e.source.map(t=>t.file).join(", "))}</dd>
      <dt>Sampling</dt><dd>${o(e.vertical_sampling_scheme||"–")}</dd>
    </dl>
    <p class="qc-legend">QC: ${[1,2,3,4].map(t=>`<span class="swatch" style="background:${x(t)}"></span>${t}`).join(" ")} · grey: raw values</p>
    <p><button type="button" id="csv">Download CSV</button> <a href="${l}" download="${o(e._id)}.json">JSON</a> · API: <code>${o(location.origin+l)}</code></p>
  </section>
</div>
<details><summary>Levels table (${i.length})</summary><table class="levels"><thead><tr><th scope="col">pressure</th><th scope="col">temperature</th><th scope="col">salinity</th></tr></thead><tbody>${i.map((t,m)=>`<tr><td>${t??""}</td><td>${Number.isNaN(y[m])?"":y[m]}</td><td>${Number.isNaN(f[m]??NaN)?"":f[m]}</td></tr>`).join("")}</tbody></table></details>`,s.querySelector("#csv").onclick=()=>{const t=e.data_info[0];S(`${e._id}.csv`,D([t,...i.map((m,q)=>e.data.map(L=>L[q]))]))}}};export{I as page};
