// A stand-in for a hashed asset of the web build.
document.getElementById("root").textContent = "demo fixture loaded";
