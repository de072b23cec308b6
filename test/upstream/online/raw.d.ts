declare module "*.pem?raw" {
  const text: string;
  export default text;
}

declare module "*.jwt?raw" {
  const text: string;
  export default text;
}
