// A page of the app that does not exist.
export async function show(main) {
  const h = document.createElement("h1");
  h.textContent = "Not found";
  const p = document.createElement("p");
  const a = document.createElement("a");
  a.href = "/app/";
  a.textContent = "Back to the start";
  p.append("There is no page here. ", a);
  main.append(h, p);
}
