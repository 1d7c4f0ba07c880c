"""Damped-least-squares inverse kinematics of the grasp site, and rotation helpers."""

from __future__ import annotations

import mujoco
import numpy as np

from act2answer.policies.conventions import matrix_to_rpy, rpy_to_matrix

__all__ = ["SiteIK", "matrix_to_rpy", "rpy_to_matrix"]


class SiteIK:
    """Full-pose DLS IK for one site over a subset of joints, on a private MjData.

    Args:
        model: The compiled model (shared, not modified).
        site: Site id to place.
        qpos_adr: qpos addresses of the joints IK may move.
        dof_adr: dof addresses of the same joints.
        joint_range: Their limits, ``(n, 2)``.
        damping: DLS damping (lambda).
        rot_weight: Weight of the orientation error relative to position (m/rad).
    """

    def __init__(
        self,
        model: mujoco.MjModel,
        site: int,
        qpos_adr: np.ndarray,
        dof_adr: np.ndarray,
        joint_range: np.ndarray,
        damping: float = 0.02,
        rot_weight: float = 0.3,
    ) -> None:
        self._model = model
        self._data = mujoco.MjData(model)
        self._site = site
        self._qadr = np.asarray(qpos_adr)
        self._dadr = np.asarray(dof_adr)
        self._low = joint_range[:, 0].copy()
        self._high = joint_range[:, 1].copy()
        self._damp2 = damping**2
        self._w = rot_weight
        n = len(self._qadr)
        self._jacp = np.zeros((3, model.nv))
        self._jacr = np.zeros((3, model.nv))
        self._jac = np.zeros((6, n))
        self._err = np.zeros(6)
        self._quat = np.zeros(4)
        self._quat_target = np.zeros(4)
        self._dquat = np.zeros(3)
        self._eye6 = np.eye(6)

    def solve(
        self,
        target_pos: np.ndarray,
        target_rot: np.ndarray,
        q_init: np.ndarray,
        iterations: int = 4,
        tolerance: float = 1e-5,
    ) -> np.ndarray:
        """Joint positions that bring the site to the target pose.

        Args:
            target_pos: Target site position, base frame.
            target_rot: Target site rotation matrix ``(3, 3)``.
            q_init: Warm start (e.g. the previous solution).
            iterations: Maximum DLS iterations.
            tolerance: Stop once the weighted pose error norm is below this.

        Returns:
            Joint positions (clipped to the joint limits), one per IK joint.
        """
        m, d = self._model, self._data
        q = np.array(q_init, dtype=float)
        mujoco.mju_mat2Quat(self._quat_target, np.ascontiguousarray(target_rot).reshape(-1))
        for _ in range(iterations):
            d.qpos[self._qadr] = q
            mujoco.mj_kinematics(m, d)
            self._err[:3] = target_pos - d.site_xpos[self._site]
            mujoco.mju_mat2Quat(self._quat, d.site_xmat[self._site])
            mujoco.mju_subQuat(self._dquat, self._quat_target, self._quat)
            # subQuat gives the error in the site frame; the Jacobian is in world.
            self._err[3:] = self._w * (d.site_xmat[self._site].reshape(3, 3) @ self._dquat)
            if float(self._err @ self._err) < tolerance**2:
                break
            mujoco.mj_comPos(m, d)
            mujoco.mj_jacSite(m, d, self._jacp, self._jacr, self._site)
            self._jac[:3] = self._jacp[:, self._dadr]
            self._jac[3:] = self._w * self._jacr[:, self._dadr]
            jac = self._jac
            dq = jac.T @ np.linalg.solve(jac @ jac.T + self._damp2 * self._eye6, self._err)
            q = np.clip(q + dq, self._low, self._high)
        return q
