"""Rooms furnished with Sweet Home 3D's furniture catalogues, as labelled point clouds.

The catalogues (Debian's `sweethome3d-furniture` and the default catalogue inside the
`sweethome3d` jar) hold textured OBJ models with a name, a category and a real size. This
package reads them straight from their zip archives (`catalogue`, `mesh`), names each model's
NYU40 class (`labels`), lays out rooms (`layout`), samples the surfaces into coloured,
labelled points (`sampling`) and writes them as the `<room>_vert.npy` + `<room>_sem_label.npy`
pair that `rtgs2 import` turns into a Gaussian scene with cameras, the same path as the real
ScanNet scans (`make_rooms`).
"""
