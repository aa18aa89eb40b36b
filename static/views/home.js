// Home: who you are and where the workspaces will be.
export async function show(main, session) {
  const h = document.createElement("h1");
  h.textContent = `Welcome, ${session.user.name}`;
  const p = document.createElement("p");
  p.textContent = "Your deals, search and shares will appear here.";
  main.append(h, p);
}
