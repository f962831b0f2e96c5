// SPDX-License-Identifier: GPL-2.0
/*
 * slice: KubeSlice's data plane, one L3 device per slice with encrypted UDP tunnels to the
 * slice's other gateways.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "netlink.h"

static int __init slice_mod_init(void)
{
	int err;

	err = register_pernet_device(&slice_net_ops);
	if (err)
		return err;
	err = rtnl_link_register(&slice_link_ops);
	if (err)
		goto err_unregister_pernet;
	err = slice_nl_register();
	if (err)
		goto err_unregister_link;
	return 0;

err_unregister_link:
	rtnl_link_unregister(&slice_link_ops);
err_unregister_pernet:
	unregister_pernet_device(&slice_net_ops);
	return err;
}

static void __exit slice_mod_exit(void)
{
	/*
	 * Devices go first: their peers' clocks send notifications through the family until
	 * the devices are gone. Then wait for the RCU callbacks that free peers and keys,
	 * whose code is in this module.
	 */
	rtnl_link_unregister(&slice_link_ops);
	slice_nl_unregister();
	unregister_pernet_device(&slice_net_ops);
	rcu_barrier();
}

module_init(slice_mod_init);
module_exit(slice_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KubeSlice data plane: slice devices with encrypted UDP tunnels");
MODULE_ALIAS_RTNL_LINK(SLICE_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(SLICE_GENL_NAME);
