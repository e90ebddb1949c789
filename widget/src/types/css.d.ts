/** A stylesheet imported as its text (webpack's asset/source): console.js injects Leaflet's own CSS. */
declare module '*.css' {
  const text: string;
  export default text;
}
