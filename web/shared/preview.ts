// The 3D preview of a customer's model (CRM, MES): the STL file, read through the
// application's API, rendered with three.js, turning slowly. showModel answers false
// without WebGL, so the application can say so instead.
import * as THREE from "three";
import { STLLoader } from "three/addons/loaders/STLLoader.js";

let stop: (() => void) | undefined;

export function showModel(canvas: HTMLCanvasElement, stl: ArrayBuffer): boolean {
  stop?.();
  let renderer: THREE.WebGLRenderer;
  try {
    renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  } catch {
    return false; // no WebGL in this browser
  }
  const geometry = new STLLoader().parse(stl);
  geometry.computeBoundingBox();
  geometry.center();
  const size = geometry.boundingBox!.getSize(new THREE.Vector3()).length() || 1;
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x20242c);
  const mesh = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ color: 0x8ecae6, metalness: 0.1, roughness: 0.6 }));
  mesh.rotation.x = -Math.PI / 2;
  scene.add(mesh);
  scene.add(new THREE.AmbientLight(0xffffff, 0.6));
  const light = new THREE.DirectionalLight(0xffffff, 1.2);
  light.position.set(1, 2, 3);
  scene.add(light);
  const camera = new THREE.PerspectiveCamera(40, canvas.clientWidth / canvas.clientHeight, size / 100, size * 10);
  camera.position.set(0, size * 0.6, size * 1.3);
  camera.lookAt(0, 0, 0);
  renderer.setSize(canvas.clientWidth, canvas.clientHeight, false);
  let running = true;
  const frame = () => {
    if (!running) return;
    mesh.rotation.z += 0.01;
    renderer.render(scene, camera);
    requestAnimationFrame(frame);
  };
  frame();
  stop = () => {
    running = false;
    geometry.dispose();
    renderer.dispose();
  };
  return true;
}
